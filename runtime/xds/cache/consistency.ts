/**
 * A snapshot is consistent when every name its resources point to exists in it:
 * each route configuration named by a listener's HTTP connection manager
 * (`rds.route_config_name`), and each load assignment of a cluster discovered
 * through EDS. A proxy served an inconsistent snapshot would wait, warming,
 * for resources that never come.
 */
import { FilterTypeUrl, TypeUrl } from '../resource-types';
import { PlainMessage, unpackResource } from '../protos';
import type { ResourceSet } from './resource-set';
import type { Snapshot } from './snapshot';
import type { CachedResource } from './watch';

/** Names referenced by a snapshot but absent from it. */
export interface MissingResources {
  /** RouteConfiguration names referenced through `rds.route_config_name`. */
  readonly routeConfigs: readonly string[];
  /** ClusterLoadAssignment names referenced by EDS clusters. */
  readonly loadAssignments: readonly string[];
}

export type ConsistencyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly errors: readonly string[]; readonly missing: MissingResources };

/** Checks that every RDS and EDS name referenced in `snapshot` exists in it. */
export function checkConsistency(snapshot: Snapshot): ConsistencyResult {
  if (sharedPartsConsistent(snapshot)) return { ok: true };
  const errors: string[] = [];
  const missingRoutes = new Set<string>();
  const missingAssignments = new Set<string>();

  const routes = snapshot.resources(TypeUrl.RouteConfiguration);
  for (const listener of snapshot.resources(TypeUrl.Listener).values()) {
    for (const ref of routeConfigReferences(listener.resource)) {
      if (!routes.has(ref.name)) {
        missingRoutes.add(ref.name);
        errors.push(
          `Listener '${listener.name}': ${ref.path}.rds.route_config_name: ` +
            `no RouteConfiguration named '${ref.name}' in the snapshot`,
        );
      }
    }
  }

  const assignments = snapshot.resources(TypeUrl.ClusterLoadAssignment);
  for (const cluster of snapshot.resources(TypeUrl.Cluster).values()) {
    const name = edsServiceName(cluster.resource);
    if (name !== undefined && !assignments.has(name)) {
      missingAssignments.add(name);
      errors.push(`Cluster '${cluster.name}': type EDS: no ClusterLoadAssignment named '${name}' in the snapshot`);
    }
  }

  if (errors.length === 0) return { ok: true };
  return {
    ok: false,
    errors,
    missing: { routeConfigs: [...missingRoutes].sort(), loadAssignments: [...missingAssignments].sort() },
  };
}

interface Reference {
  readonly name: string;
  /** Field path of the HTTP connection manager inside the listener. */
  readonly path: string;
}

/** Route configuration names a listener's HTTP connection managers fetch over RDS. */
export function routeConfigReferences(listener: PlainMessage): Reference[] {
  const refs: Reference[] = [];
  const visitHcm = (config: unknown, path: string): void => {
    const hcm = hcmOf(config);
    const rds = hcm?.rds;
    if (isObject(rds) && typeof rds.route_config_name === 'string' && rds.route_config_name !== '') {
      refs.push({ name: rds.route_config_name, path });
    }
  };
  const visitChain = (chain: unknown, path: string): void => {
    if (!isObject(chain) || !Array.isArray(chain.filters)) return;
    chain.filters.forEach((filter: unknown, i: number) => {
      if (isObject(filter)) visitHcm(filter.typed_config, `${path}.filters[${i}].typed_config`);
    });
  };
  if (Array.isArray(listener.filter_chains)) {
    listener.filter_chains.forEach((chain: unknown, i: number) => visitChain(chain, `filter_chains[${i}]`));
  }
  visitChain(listener.default_filter_chain, 'default_filter_chain');
  const api = listener.api_listener;
  if (isObject(api)) visitHcm(api.api_listener, 'api_listener.api_listener');
  return refs;
}

/** For a cluster of type EDS, the load assignment name it fetches; otherwise `undefined`. */
export function edsServiceName(cluster: PlainMessage): string | undefined {
  if (cluster.type !== 'EDS' && cluster.type !== 3) return undefined;
  const config = cluster.eds_cluster_config;
  const serviceName = isObject(config) ? config.service_name : undefined;
  if (typeof serviceName === 'string' && serviceName !== '') return serviceName;
  return typeof cluster.name === 'string' ? cluster.name : undefined;
}

/** The HTTP connection manager in a `typed_config`, in `@type` form or packed; `undefined` otherwise. */
function hcmOf(config: unknown): PlainMessage | undefined {
  if (!isObject(config)) return undefined;
  if (config['@type'] === FilterTypeUrl.HttpConnectionManager) return config;
  if (config.type_url === FilterTypeUrl.HttpConnectionManager && config.value instanceof Uint8Array) {
    return unpackResource({ type_url: config.type_url, value: config.value });
  }
  return undefined;
}

function isObject(value: unknown): value is PlainMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Load assignment names the EDS clusters of a shared set fetch, computed once per set. */
const EDS_NAMES = new WeakMap<ResourceSet, readonly string[]>();

function edsNamesOf(set: ResourceSet): readonly string[] {
  let names = EDS_NAMES.get(set);
  if (!names) {
    const found: string[] = [];
    for (const cluster of set.resources.values()) {
      const name = edsServiceName(cluster.resource);
      if (name !== undefined) found.push(name);
    }
    EDS_NAMES.set(set, (names = found));
  }
  return names;
}

/** Route configuration names of a packed listener, read once per listener (snapshots reuse them). */
const ROUTE_NAMES = new WeakMap<CachedResource, readonly string[]>();

function routeNamesOf(listener: CachedResource): readonly string[] {
  let names = ROUTE_NAMES.get(listener);
  if (!names) ROUTE_NAMES.set(listener, (names = routeConfigReferences(listener.resource).map((ref) => ref.name)));
  return names;
}

const MISSING = new WeakMap<ResourceSet, WeakMap<ResourceSet, readonly string[]>>();

/** Load assignment names the shared `clusters` fetch that the shared `endpoints` lack, once per pair of sets. */
function missingFrom(clusters: ResourceSet, endpoints: ResourceSet): readonly string[] {
  let byEndpoints = MISSING.get(clusters);
  if (!byEndpoints) MISSING.set(clusters, (byEndpoints = new WeakMap()));
  let missing = byEndpoints.get(endpoints);
  if (!missing) byEndpoints.set(endpoints, (missing = edsNamesOf(clusters).filter((n) => !endpoints.resources.has(n))));
  return missing;
}

/**
 * A quick pass for snapshots with shared sets: true when every reference is
 * found (the shared clusters' load assignment names checked once per set);
 * false means "check in full" (to name what is missing in order).
 */
function sharedPartsConsistent(snapshot: Snapshot): boolean {
  const clusters = snapshot.layers(TypeUrl.Cluster);
  if (!clusters.shared) return false;
  const routes = snapshot.resources(TypeUrl.RouteConfiguration);
  for (const listener of snapshot.resources(TypeUrl.Listener).values()) {
    for (const name of routeNamesOf(listener)) if (!routes.has(name)) return false;
  }
  const assignments = snapshot.resources(TypeUrl.ClusterLoadAssignment);
  const endpoints = snapshot.layers(TypeUrl.ClusterLoadAssignment);
  const unmatched = endpoints.shared ? missingFrom(clusters.shared, endpoints.shared) : edsNamesOf(clusters.shared);
  for (const name of unmatched) if (!assignments.has(name)) return false;
  for (const cluster of clusters.own.values()) {
    const name = edsServiceName(cluster.resource);
    if (name !== undefined && !assignments.has(name)) return false;
  }
  return true;
}
