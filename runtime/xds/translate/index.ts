/**
 * Translation: (config snapshot + proxy identity) → the Envoy resources that
 * proxy can use, as plain proto-JSON objects ready for the snapshot cache.
 * Pure: the same inputs always give the same output, in name order.
 */
import type { ConfigSnapshot } from '../../config/config-snapshot';
import { TypeUrl } from '../resource-types';
import { blackholeCluster, inboundPassthroughCluster, passthroughCluster } from './clusters';
import type { PlainMessage } from './envoy';
import { gatewayResources } from './gateways';
import { GRPC_GENERATOR, translateGrpc } from './grpc';
import { sidecarListeners } from './listeners';
import { MeshIndex, TranslateOptions } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sidecarScope } from './sidecar-scope';
import { sharedOutbound } from './shared-outbound';
import { ServiceRegistry } from '../../config/service-registry';

export interface EnvoyResources {
  readonly listeners: readonly PlainMessage[];
  readonly routes: readonly PlainMessage[];
  readonly clusters: readonly PlainMessage[];
  readonly endpoints: readonly PlainMessage[];
  /** Resources left out because another of the same type and name came first (conflicting config). */
  readonly conflicts: readonly string[];
}

export type ResourceKind = 'listeners' | 'routes' | 'clusters' | 'endpoints';

/**
 * The resources of a translation split, per type, into those shared with every
 * proxy of the same class (one list object for all of them, see proxy-class.ts)
 * and the proxy's own.
 */
export interface ResourceLayers {
  /** Shared by the proxies of a class; nobody may mutate them. */
  readonly shared: readonly PlainMessage[];
  readonly own: readonly PlainMessage[];
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
    services = index.memo(`router-services|${proxy.namespace}`, () => index.registry.all().filter((s) => ServiceRegistry.visibleFrom(s, proxy.namespace)));
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
  const shared = sharedOutbound(index, proxy, services);
  const conflicts: string[] = [];
  const listenersOut = unique(listeners, 'listener', 'name', conflicts).sort(byName('name'));
  const routesOut = unique(routes, 'route configuration', 'name', conflicts).sort(byName('name'));
  const ownClusters = unique(extraClusters.filter((c) => !shared.clusterNames.has(String(c.name))), 'cluster', 'name', conflicts).sort(byName('name'));
  const sharedRoutes = index.intern('rds', routesOut.filter((r) => index.isShared(r)));
  const ownRoutes = routesOut.filter((r) => !index.isShared(r));
  return layered({
    listeners: { shared: [], own: listenersOut },
    routes: { shared: sharedRoutes, own: ownRoutes },
    clusters: { shared: shared.clusters, own: ownClusters },
    endpoints: { shared: shared.endpoints, own: [] },
  }, conflicts);
}

/** EnvoyResources over layers; the merged lists are made when first read. */
function layered(layers: Record<ResourceKind, ResourceLayers>, conflicts: readonly string[]): EnvoyResources {
  const merged = new Map<ResourceKind, readonly PlainMessage[]>();
  const read = (kind: ResourceKind, field: string): readonly PlainMessage[] => {
    let list = merged.get(kind);
    if (!list) {
      const { shared, own } = layers[kind];
      list = own.length === 0 ? shared : shared.length === 0 ? own : [...shared, ...own].sort(byName(field));
      merged.set(kind, list);
    }
    return list;
  };
  const resources: EnvoyResources = {
    get listeners() { return read('listeners', 'name'); },
    get routes() { return read('routes', 'name'); },
    get clusters() { return read('clusters', 'name'); },
    get endpoints() { return read('endpoints', 'cluster_name'); },
    conflicts,
  };
  LAYERS.set(resources, layers);
  return resources;
}

const LAYERS = new WeakMap<EnvoyResources, Readonly<Record<ResourceKind, ResourceLayers>>>();

/** The shared and own resources of a translation; `undefined` when it shares nothing. */
export function resourceLayers(resources: EnvoyResources): Readonly<Record<ResourceKind, ResourceLayers>> | undefined {
  return LAYERS.get(resources);
}

/** The resources by type URL, shared and own apart where the translation shares them, as `Snapshot.create({ resources })` takes them. */
export function snapshotResources(resources: EnvoyResources): Record<string, readonly PlainMessage[] | ResourceLayers> {
  const layers = resourceLayers(resources);
  return {
    [TypeUrl.Listener]: layers?.listeners ?? resources.listeners,
    [TypeUrl.RouteConfiguration]: layers?.routes ?? resources.routes,
    [TypeUrl.Cluster]: layers?.clusters ?? resources.clusters,
    [TypeUrl.ClusterLoadAssignment]: layers?.endpoints ?? resources.endpoints,
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
export { endpointsOnlyTranslation, ENDPOINT_ONLY_KINDS } from './endpoint-delta';
export { proxyClassKey } from './proxy-class';
export { effectiveTrafficPolicy } from './traffic-policy';
export * from './cluster-names';
export { GRPC_GENERATOR, translateGrpc, grpcListenerName } from './grpc';
export { virtualHostsApart, vhdsResourceName } from './vhds';
