/**
 * How one accepted state-of-the-world response changes the snapshot, with
 * Envoy's warming rules:
 *
 * - CDS and LDS responses hold every resource of the type: a resource left out
 *   is removed.
 * - An EDS cluster goes live once the load assignment of its service name is
 *   present; a listener once every route configuration its HTTP connection
 *   managers name over RDS is present. Until then the new version warms and
 *   the previous version, if any, keeps serving.
 * - EDS and RDS responses hold the subscribed resources; a resource left out is
 *   kept (absence does not mean removal for these types), and resources no
 *   cluster or listener references any more are dropped when CDS or LDS changes.
 * - Unchanged content (equal hash) keeps its original `versionInfo` and `lastUpdated`.
 * - A delta response may also name EDS and RDS resources as removed.
 */
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from '../../xds/resources';
import type { AppliedResource, XdsTypeName } from './applied-resource';
import type { ProxyConfigSnapshot } from './proxy-config-snapshot';
import { edsServiceNameOf, routeConfigNamesOf } from './references';

/** The snapshot after a change, and the types whose part of it differs. */
export interface AppliedChange {
  readonly snapshot: ProxyConfigSnapshot;
  readonly changedTypes: readonly XdsTypeName[];
}

/** The domain type of each xDS type name. */
export interface DomainByTypeName {
  CDS: Cluster;
  EDS: ClusterLoadAssignment;
  LDS: Listener;
  RDS: RouteConfiguration;
}

/**
 * Applies an accepted response of `type` (its resources already decoded);
 * `removed` names EDS or RDS resources a delta response removed.
 */
export function applyResponse<K extends XdsTypeName>(
  snapshot: ProxyConfigSnapshot,
  type: K,
  versionInfo: string,
  resources: readonly AppliedResource<DomainByTypeName[K]>[],
  at: Date,
  removed: readonly string[] = [],
): AppliedChange {
  const version = { [type]: { versionInfo, lastUpdated: at } };
  let next: ProxyConfigSnapshot;
  switch (type) {
    case 'CDS': {
      const { live, warming } = splitWarming(
        snapshot.clusters, snapshot.warmingClusters, resources as readonly AppliedResource<Cluster>[],
        (c) => clusterReady(c, snapshot.loadAssignments));
      const referenced = new Set<string>();
      for (const c of [...live.values(), ...warming.values()]) {
        const service = edsServiceNameOf(c.value);
        if (service !== undefined) referenced.add(service);
      }
      next = snapshot.with({ clusters: live, warmingClusters: warming, loadAssignments: keep(snapshot.loadAssignments, referenced), versions: version });
      break;
    }
    case 'EDS': {
      const loadAssignments = merge(snapshot.loadAssignments, resources as readonly AppliedResource<ClusterLoadAssignment>[], removed);
      const promoted = promote(snapshot.clusters, snapshot.warmingClusters, (c) => clusterReady(c, loadAssignments));
      next = snapshot.with({ loadAssignments, clusters: promoted.live, warmingClusters: promoted.warming, versions: version });
      break;
    }
    case 'LDS': {
      const { live, warming } = splitWarming(
        snapshot.listeners, snapshot.warmingListeners, resources as readonly AppliedResource<Listener>[],
        (l) => listenerReady(l, snapshot.routeConfigs));
      const referenced = new Set<string>();
      for (const l of [...live.values(), ...warming.values()]) for (const n of routeConfigNamesOf(l.value)) referenced.add(n);
      next = snapshot.with({ listeners: live, warmingListeners: warming, routeConfigs: keep(snapshot.routeConfigs, referenced), versions: version });
      break;
    }
    case 'RDS': {
      const routeConfigs = merge(snapshot.routeConfigs, resources as readonly AppliedResource<RouteConfiguration>[], removed);
      const promoted = promote(snapshot.listeners, snapshot.warmingListeners, (l) => listenerReady(l, routeConfigs));
      next = snapshot.with({ routeConfigs, listeners: promoted.live, warmingListeners: promoted.warming, versions: version });
      break;
    }
    default:
      throw new Error(`applyResponse: unknown type '${String(type)}'`);
  }
  return { snapshot: next, changedTypes: changedTypes(snapshot, next) };
}

/**
 * Ends the warming of clusters (`CDS`) or listeners (`LDS`) whose initial
 * fetch timed out: they go live without their endpoints or route configurations,
 * as Envoy does when `initial_fetch_timeout` expires.
 */
export function expireWarming(snapshot: ProxyConfigSnapshot, type: 'CDS' | 'LDS', names: Iterable<string>): AppliedChange {
  const expired = new Set(names);
  const ready = (r: { readonly name: string }): boolean => expired.has(r.name);
  const next = type === 'CDS'
    ? (() => {
      const p = promote(snapshot.clusters, snapshot.warmingClusters, ready);
      return snapshot.with({ clusters: p.live, warmingClusters: p.warming });
    })()
    : (() => {
      const p = promote(snapshot.listeners, snapshot.warmingListeners, ready);
      return snapshot.with({ listeners: p.live, warmingListeners: p.warming });
    })();
  const changed = changedTypes(snapshot, next);
  return { snapshot: changed.length === 0 ? snapshot : next, changedTypes: changed };
}

function clusterReady(cluster: AppliedResource<Cluster>, loadAssignments: ReadonlyMap<string, unknown>): boolean {
  const service = edsServiceNameOf(cluster.value);
  return service === undefined || loadAssignments.has(service);
}

function listenerReady(listener: AppliedResource<Listener>, routeConfigs: ReadonlyMap<string, unknown>): boolean {
  return routeConfigNamesOf(listener.value).every((n) => routeConfigs.has(n));
}

interface Split<T> {
  readonly live: Map<string, AppliedResource<T>>;
  readonly warming: Map<string, AppliedResource<T>>;
}

/** The full set of a wildcard type: each resource live if ready, else warming with the previous version still live. */
function splitWarming<T>(
  live: ReadonlyMap<string, AppliedResource<T>>,
  warming: ReadonlyMap<string, AppliedResource<T>>,
  incoming: readonly AppliedResource<T>[],
  ready: (r: AppliedResource<T>) => boolean,
): Split<T> {
  const out: Split<T> = { live: new Map(), warming: new Map() };
  for (const resource of incoming) {
    const name = resource.name;
    const wasLive = live.get(name);
    const wasWarming = warming.get(name);
    if (wasLive && wasLive.hash === resource.hash) {
      out.live.set(name, wasLive);
    } else if (wasWarming && wasWarming.hash === resource.hash) {
      out.warming.set(name, wasWarming);
      if (wasLive) out.live.set(name, wasLive);
    } else if (ready(resource)) {
      out.live.set(name, resource);
    } else {
      out.warming.set(name, resource);
      if (wasLive) out.live.set(name, wasLive);
    }
  }
  return out;
}

/** Moves warming resources that are now ready to live. */
function promote<T>(
  live: ReadonlyMap<string, AppliedResource<T>>,
  warming: ReadonlyMap<string, AppliedResource<T>>,
  ready: (r: AppliedResource<T>) => boolean,
): { readonly live: ReadonlyMap<string, AppliedResource<T>>; readonly warming: ReadonlyMap<string, AppliedResource<T>> } {
  const done = [...warming.values()].filter(ready);
  if (done.length === 0) return { live, warming };
  const nextLive = new Map(live);
  const nextWarming = new Map(warming);
  for (const r of done) {
    nextLive.set(r.name, r);
    nextWarming.delete(r.name);
  }
  return { live: nextLive, warming: nextWarming };
}

/** Removes `removed`, then adds or replaces resources, keeping entries whose content did not change. */
function merge<T>(
  current: ReadonlyMap<string, AppliedResource<T>>,
  incoming: readonly AppliedResource<T>[],
  removed: readonly string[],
): ReadonlyMap<string, AppliedResource<T>> {
  const next = new Map(current);
  for (const name of removed) next.delete(name);
  for (const resource of incoming) {
    if (current.get(resource.name)?.hash !== resource.hash) next.set(resource.name, resource);
  }
  return next;
}

/** The entries whose names are in `names`. */
function keep<T>(current: ReadonlyMap<string, T>, names: ReadonlySet<string>): ReadonlyMap<string, T> {
  if ([...current.keys()].every((n) => names.has(n))) return current;
  return new Map([...current].filter(([name]) => names.has(name)));
}

function sameEntries<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** The types whose resources, warming resources or version differ between two snapshots. */
export function changedTypes(prev: ProxyConfigSnapshot, next: ProxyConfigSnapshot): XdsTypeName[] {
  const out: XdsTypeName[] = [];
  const versionChanged = (t: XdsTypeName): boolean => prev.version(t).versionInfo !== next.version(t).versionInfo;
  if (!sameEntries(prev.clusters, next.clusters) || !sameEntries(prev.warmingClusters, next.warmingClusters) || versionChanged('CDS')) out.push('CDS');
  if (!sameEntries(prev.loadAssignments, next.loadAssignments) || versionChanged('EDS')) out.push('EDS');
  if (!sameEntries(prev.listeners, next.listeners) || !sameEntries(prev.warmingListeners, next.warmingListeners) || versionChanged('LDS')) out.push('LDS');
  if (!sameEntries(prev.routeConfigs, next.routeConfigs) || versionChanged('RDS')) out.push('RDS');
  return out;
}
