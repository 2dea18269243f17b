/**
 * Translation: (config snapshot + proxy identity) → the Envoy resources that
 * proxy can use, as plain proto-JSON objects ready for the snapshot cache.
 * Pure: the same inputs always give the same output, in name order.
 */
import type { ConfigSnapshot } from '../../config/config-snapshot';
import { TypeUrl } from '../resource-types';
import {
  blackholeCluster, inboundPassthroughCluster, isEdsPlan, outboundCluster, passthroughCluster, planOutboundClusters,
} from './clusters';
import type { PlainMessage } from './envoy';
import { loadAssignment } from './endpoints';
import { gatewayResources } from './gateways';
import { GRPC_GENERATOR, translateGrpc } from './grpc';
import { sidecarListeners } from './listeners';
import { MeshIndex, TranslateOptions } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sidecarScope } from './sidecar-scope';
import { originationSocket } from './tls';
import { ServiceRegistry } from '../../config/service-registry';

export interface EnvoyResources {
  readonly listeners: readonly PlainMessage[];
  readonly routes: readonly PlainMessage[];
  readonly clusters: readonly PlainMessage[];
  readonly endpoints: readonly PlainMessage[];
  /** Resources left out because another of the same type and name came first (conflicting config). */
  readonly conflicts: readonly string[];
}

/** Keeps the first resource of each name; records the others. */
function unique(list: PlainMessage[], type: string, field: string, conflicts: string[]): PlainMessage[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const name = String(r[field]);
    if (!seen.has(name)) return seen.add(name), true;
    conflicts.push(`${type} '${name}': defined more than once; the first is kept`);
    return false;
  });
}

function byName(field: string): (a: PlainMessage, b: PlainMessage) => number {
  return (a, b) => {
    const x = String(a[field]);
    const y = String(b[field]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** The resources of `proxy` under `snapshot`. */
export function translate(snapshot: ConfigSnapshot, proxy: ProxyIdentity, options: TranslateOptions = {}): EnvoyResources {
  if (proxy.generator === GRPC_GENERATOR) return translateGrpc(snapshot, proxy, options);
  const index = MeshIndex.of(snapshot, options);
  let services;
  let listeners: PlainMessage[];
  let routes: PlainMessage[];
  const extraClusters: PlainMessage[] = [blackholeCluster()];
  if (proxy.type === 'router') {
    services = index.registry.all().filter((s) => ServiceRegistry.visibleFrom(s, proxy.namespace));
    ({ listeners, routes } = gatewayResources(index, proxy));
  } else {
    const scope = sidecarScope(index, proxy);
    services = scope.services;
    const built = sidecarListeners(index, proxy, scope);
    listeners = built.listeners;
    routes = built.routes;
    extraClusters.push(...built.inboundClusters, passthroughCluster());
    if (listeners.some((l) => l.name === 'virtualInbound')) extraClusters.push(inboundPassthroughCluster());
  }
  const plans = planOutboundClusters(index, proxy, services);
  const seen = new Set<string>();
  const uniquePlans = plans.filter((p) => (seen.has(p.name) ? false : (seen.add(p.name), true)));
  const trustDomain = options.mtls?.trustDomain;
  const withTls = (p: (typeof uniquePlans)[number]): PlainMessage => {
    const socket = originationSocket(index, { ...p, ...(p.policy?.tls ? { tls: p.policy.tls } : {}) }, trustDomain);
    return socket ? { ...outboundCluster(p), transport_socket: socket } : outboundCluster(p);
  };
  const clusters = [...uniquePlans.map(withTls), ...extraClusters.filter((c) => !seen.has(String(c.name)))];
  const endpoints = uniquePlans.filter(isEdsPlan).map((p) => loadAssignment(p.name, p.service, p.port, p.subsetLabels));
  const conflicts: string[] = [];
  return {
    listeners: unique(listeners, 'listener', 'name', conflicts).sort(byName('name')),
    routes: unique(routes, 'route configuration', 'name', conflicts).sort(byName('name')),
    clusters: unique(clusters, 'cluster', 'name', conflicts).sort(byName('name')),
    endpoints: endpoints.sort(byName('cluster_name')),
    conflicts,
  };
}

/** The resources by type URL, as `Snapshot.create({ resources })` takes them. */
export function resourcesByTypeUrl(resources: EnvoyResources): Record<string, readonly PlainMessage[]> {
  return {
    [TypeUrl.Listener]: resources.listeners,
    [TypeUrl.RouteConfiguration]: resources.routes,
    [TypeUrl.Cluster]: resources.clusters,
    [TypeUrl.ClusterLoadAssignment]: resources.endpoints,
  };
}

export { proxyIdentity, parseNodeId, ProxyIdentityError } from './proxy-identity';
export type { ProxyIdentity, ProxyType, NodeLike } from './proxy-identity';
export type { TranslateOptions } from './mesh-index';
export { MeshIndex } from './mesh-index';
export { sidecarScope } from './sidecar-scope';
export { effectiveTrafficPolicy } from './traffic-policy';
export * from './cluster-names';
export { GRPC_GENERATOR, translateGrpc, grpcListenerName } from './grpc';
