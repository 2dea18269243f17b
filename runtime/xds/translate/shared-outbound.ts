/**
 * The outbound clusters and load assignments of a class of proxies (see
 * proxy-class.ts), computed once per config snapshot and class and shared by
 * every proxy of the class: the same objects, in name order, the same list
 * objects while nothing in them changes.
 */
import type { RegistryService } from '../../config/service-registry';
import { isEdsPlan, outboundCluster, OutboundClusterPlan, planOutboundClusters } from './clusters';
import { loadAssignment } from './endpoints';
import type { PlainMessage } from './envoy';
import { carryOverList } from './generations';
import type { MeshIndex } from './mesh-index';
import { proxyClassKey } from './proxy-class';
import type { ProxyIdentity } from './proxy-identity';
import { originationSocket } from './tls';

export interface SharedOutbound {
  /** Names of the outbound clusters. */
  readonly clusterNames: ReadonlySet<string>;
  /** Outbound clusters, by name. */
  readonly clusters: readonly PlainMessage[];
  /** Load assignments of the EDS clusters, by cluster name. */
  readonly endpoints: readonly PlainMessage[];
}

function compareBy(field: string): (a: PlainMessage, b: PlainMessage) => number {
  return (a, b) => {
    const x = String(a[field]);
    const y = String(b[field]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** The outbound plans of the class, first per cluster name. */
function uniquePlans(index: MeshIndex, proxy: ProxyIdentity, services: readonly RegistryService[]): readonly OutboundClusterPlan[] {
  const seen = new Set<string>();
  return planOutboundClusters(index, proxy, services).filter((p) => (seen.has(p.name) ? false : (seen.add(p.name), true)));
}

/** The cluster of a plan, with its transport socket. */
function planCluster(index: MeshIndex, p: OutboundClusterPlan): PlainMessage {
  const socket = originationSocket(index, { ...p, ...(p.policy?.tls ? { tls: p.policy.tls } : {}) }, index.mtlsTrustDomain);
  return socket ? { ...outboundCluster(p), transport_socket: socket } : outboundCluster(p);
}

/** The outbound plans of `proxy`'s class, once per index and class. */
function classPlans(index: MeshIndex, proxy: ProxyIdentity, services: readonly RegistryService[]): readonly OutboundClusterPlan[] {
  return index.memo(`outbound-plans|${proxyClassKey(index, proxy)}`, () => uniquePlans(index, proxy, services));
}

/**
 * The shared load assignments of `proxy`'s class (whose visible services are
 * `services`), by cluster name: without building the clusters.
 */
export function sharedEndpoints(index: MeshIndex, proxy: ProxyIdentity, services: readonly RegistryService[]): readonly PlainMessage[] {
  const cls = proxyClassKey(index, proxy);
  return index.memo(`outbound-endpoints|${cls}`, () => {
    const endpoints = classPlans(index, proxy, services).filter(isEdsPlan).map((p) =>
      index.sharedResource(JSON.stringify(['eds', cls, p.name]), () => loadAssignment(p.name, p.service, p.port, p.subsetLabels)));
    return carryOverList(`${index.optionsKey}|eds|${cls}`, [...endpoints].sort(compareBy('cluster_name')));
  });
}

/**
 * The shared outbound clusters and load assignments of `proxy`'s class, whose
 * visible services are `services` (the same for the whole class).
 */
export function sharedOutbound(index: MeshIndex, proxy: ProxyIdentity, services: readonly RegistryService[]): SharedOutbound {
  const cls = proxyClassKey(index, proxy);
  return index.memo(`outbound|${cls}`, () => {
    const plans = classPlans(index, proxy, services);
    const clusters = plans.map((p) => index.sharedResource(JSON.stringify(['cds', cls, p.name]), () => planCluster(index, p)));
    return {
      clusterNames: new Set(plans.map((p) => p.name)),
      clusters: carryOverList(`${index.optionsKey}|cds|${cls}`, [...clusters].sort(compareBy('name'))),
      endpoints: sharedEndpoints(index, proxy, services),
    };
  });
}
