/**
 * The JSON bodies of the debug endpoints, built from the status registry, the
 * cache and the store (pure functions: the HTTP server only serves them).
 */
import type { ConfigProblem } from '../config/config-problem';
import type { SnapshotCache } from '../xds/cache/snapshot-cache';
import { RESOURCE_TYPES, shortTypeName } from '../xds/resource-types';
import type { XdsStatusRegistry } from '../xds/server/status-registry';
import type { ProxyError } from './proxy-snapshots';
import { redactPrivateKeys } from '../xds/redact-secrets';

/** Sync state of one type of one proxy, as `/debug/syncz` shows it. */
export interface TypeSyncView {
  /** Version the cache holds for the proxy. */
  readonly current?: string;
  readonly sent?: string;
  readonly acked?: string;
  /** Version of the last rejected response. */
  readonly nacked?: string;
  readonly lastNack?: string;
  readonly nackCount: number;
  /** SYNCED (acked = current), STALE (sent but not acked, or acked older), NACKED (last response rejected), NOT SENT. */
  readonly status: 'SYNCED' | 'STALE' | 'NACKED' | 'NOT SENT';
}

export interface ProxySyncView {
  readonly nodeId: string;
  readonly streamId: number;
  readonly protocol: string;
  readonly connectedAt: string;
  readonly peer?: string;
  readonly types: Readonly<Record<string, TypeSyncView>>;
}

/** `/debug/syncz`: per stream, per type: current, sent, acked and nacked versions. */
export function syncView(status: XdsStatusRegistry, cache: SnapshotCache): ProxySyncView[] {
  return status.streams().map((s) => {
    const snapshot = cache.getSnapshot(s.nodeId);
    const types: Record<string, TypeSyncView> = {};
    for (const t of s.types) {
      const current = snapshot?.version(t.typeUrl);
      const nackedNow = t.lastNack !== undefined && t.lastNack.nonce === t.sentNonce;
      const state: TypeSyncView['status'] = t.sentVersion === undefined ? 'NOT SENT'
        : nackedNow ? 'NACKED'
          : t.ackedVersion !== undefined && t.ackedVersion === current ? 'SYNCED' : 'STALE';
      types[shortTypeName(t.typeUrl)] = {
        ...(current !== undefined ? { current } : {}),
        ...(t.sentVersion !== undefined ? { sent: t.sentVersion } : {}),
        ...(t.ackedVersion !== undefined ? { acked: t.ackedVersion } : {}),
        ...(t.lastNack ? { nacked: t.lastNack.version, lastNack: t.lastNack.message } : {}),
        nackCount: t.nackCount,
        status: state,
      };
    }
    return {
      nodeId: s.nodeId,
      streamId: s.streamId,
      protocol: s.protocol,
      connectedAt: s.connectedAt.toISOString(),
      ...(s.peer !== undefined ? { peer: s.peer } : {}),
      types,
    };
  });
}

const DUMP_KEYS: Readonly<Record<string, string>> = {
  CDS: 'clusters', EDS: 'endpoints', LDS: 'listeners', RDS: 'routes', VHDS: 'virtual_hosts', SDS: 'secrets',
};

/** `/debug/config_dump?proxyID=`: the proxy's resources by type (private keys redacted), with versions; `undefined` for an unknown proxy. */
export function configDump(cache: SnapshotCache, nodeId: string): Record<string, unknown> | undefined {
  const snapshot = cache.getSnapshot(nodeId);
  if (!snapshot) return undefined;
  const out: Record<string, unknown> = { nodeId };
  const versions: Record<string, string> = {};
  for (const t of RESOURCE_TYPES) {
    const key = DUMP_KEYS[t.shortName] ?? t.shortName;
    out[key] = [...snapshot.resources(t.typeUrl).values()].map((r) => redactPrivateKeys(r.resource));
    versions[t.shortName] = snapshot.version(t.typeUrl);
  }
  out.versions = versions;
  return out;
}

/** `/debug/config_errors`: what the sources refuse now, and per-proxy translation failures and conflicts. */
export function configErrorsView(
  problems: readonly ConfigProblem[],
  proxies: { errors: readonly ProxyError[]; conflicts: readonly { nodeId: string; conflicts: readonly string[] }[] },
): Record<string, unknown> {
  return {
    config: problems.map((p) => ({
      source: p.source,
      ...(p.file !== undefined ? { file: p.file } : {}),
      ...(p.index !== undefined ? { document: p.index } : {}),
      ...(p.line !== undefined ? { line: p.line } : {}),
      ...(p.kind !== undefined ? { kind: p.kind } : {}),
      ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
      ...(p.name !== undefined ? { name: p.name } : {}),
      errors: p.errors,
      keptLastGood: p.keptLastGood,
      message: p.message,
    })),
    translation: proxies.errors.map((e) => ({ nodeId: e.nodeId, message: e.message, at: e.at.toISOString() })),
    conflicts: proxies.conflicts,
  };
}
