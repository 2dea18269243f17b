/** `envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`: a listener's TCP forwarding filter. */
import type { Message } from './private/reader';

export const TCP_PROXY_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
/** Envoy's idle timeout when `idle_timeout` is unset: one hour. */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 3_600_000;

export type TcpClusterChoice =
  | { readonly kind: 'cluster'; readonly name: string }
  | { readonly kind: 'weighted'; readonly clusters: readonly { readonly name: string; readonly weight: number }[]; readonly totalWeight: number };

export interface TcpProxy {
  readonly statPrefix: string;
  readonly cluster: TcpClusterChoice;
  /** 0 disables the idle timeout. @default 3600000 */
  readonly idleTimeoutMs: number;
  /** @default 1 */
  readonly maxConnectAttempts: number;
  readonly maxDownstreamConnectionDurationMs?: number;
  /** Hash by the downstream source IP (consistent-hash clusters). */
  readonly hashBySourceIp: boolean;
}

/** Reads a TcpProxy message (the fields after `@type`). */
export function readTcpProxy(m: Message): TcpProxy | undefined {
  m.unsupported(['metadata_match', 'tunneling_config', 'on_demand', 'upstream_id_policy', 'backoff_options']);
  const statPrefix = m.string('stat_prefix', { required: true });
  const which = m.oneof(['cluster', 'weighted_clusters'] as const, { required: true });
  let cluster: TcpClusterChoice | undefined;
  if (which === 'cluster') {
    const name = m.string('cluster', { required: true });
    if (name !== undefined) cluster = { kind: 'cluster', name };
  } else if (which === 'weighted_clusters') {
    const w = m.message('weighted_clusters');
    const clusters: { name: string; weight: number }[] = [];
    for (const c of w?.messages('clusters', { minItems: 1 }) ?? []) {
      c.unsupported(['metadata_match']);
      const name = c.string('name', { required: true });
      const weight = c.integer('weight', { min: 1, required: true });
      if (name !== undefined && weight !== undefined) clusters.push({ name, weight });
    }
    if (clusters.length > 0) cluster = { kind: 'weighted', clusters, totalWeight: clusters.reduce((s, c) => s + c.weight, 0) };
  }
  const idleTimeoutMs = m.duration('idle_timeout') ?? DEFAULT_TCP_IDLE_TIMEOUT_MS;
  const maxConnectAttempts = m.integer('max_connect_attempts', { min: 1 }) ?? 1;
  const maxDownstreamConnectionDurationMs = m.duration('max_downstream_connection_duration');
  let hashBySourceIp = false;
  m.messages('hash_policy', {}).forEach((h) => {
    const source = h.message('source_ip');
    if (source) hashBySourceIp = true;
    else h.error(undefined, 'only source_ip hash policies are supported');
  });
  if (statPrefix === undefined || cluster === undefined) return undefined;
  return {
    statPrefix, cluster, idleTimeoutMs, maxConnectAttempts,
    ...(maxDownstreamConnectionDurationMs !== undefined ? { maxDownstreamConnectionDurationMs } : {}),
    hashBySourceIp,
  };
}
