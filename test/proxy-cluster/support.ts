/** Builders for the cluster-stage tests: domain clusters and load assignments through the real decoders. */
import {
  Cluster, ClusterLoadAssignment, HealthStatus, decodeCluster, decodeClusterLoadAssignment,
} from '../../runtime/xds/resources';
import { Host } from '../../runtime/proxy/cluster';

export function cluster(extra: Record<string, unknown> = {}, name = 'outbound|80||svc.default.svc.cluster.local'): Cluster {
  const r = decodeCluster({ name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, ...extra });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

export interface EndpointSpec {
  readonly ip: string;
  readonly port?: number;
  readonly weight?: number;
  readonly health?: HealthStatus;
  readonly priority?: number;
}

export function assignment(endpoints: readonly (string | EndpointSpec)[], extra: Record<string, unknown> = {}, name = 'outbound|80||svc.default.svc.cluster.local'): ClusterLoadAssignment {
  const specs = endpoints.map((e) => (typeof e === 'string' ? { ip: e } : e));
  const priorities = [...new Set(specs.map((s) => s.priority ?? 0))].sort();
  const r = decodeClusterLoadAssignment({
    cluster_name: name,
    endpoints: priorities.map((p) => ({
      ...(p ? { priority: p } : {}),
      lb_endpoints: specs.filter((s) => (s.priority ?? 0) === p).map((s) => ({
        endpoint: { address: { socket_address: { address: s.ip, port_value: s.port ?? 80 } } },
        ...(s.weight !== undefined ? { load_balancing_weight: s.weight } : {}),
        ...(s.health ? { health_status: s.health } : {}),
      })),
    })),
    ...extra,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

export function hosts(n: number, weights?: readonly number[]): Host[] {
  return Array.from({ length: n }, (_, i) => new Host({ address: `10.0.0.${i + 1}`, port: 80, weight: weights?.[i] ?? 1 }));
}

/** Picks counted by host key. */
export function tally(pick: () => Host | undefined, times: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const h = pick();
    const k = h?.key ?? 'none';
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}
