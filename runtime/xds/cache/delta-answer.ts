/**
 * The answer to a delta watch: the subscribed resources whose version differs
 * from what the client holds, and the subscribed names it holds that the
 * snapshot no longer has.
 *
 * When the client holds what a previous response answered (a basis of shared
 * layers), only names that can differ are looked at: those whose version
 * differs between the basis' shared set and the snapshot's (computed once per
 * pair of sets for every stream), those gone from it, the own resources of
 * both, the exceptions, and names the subscription gained. Without a basis
 * (a client that announced versions, or layers that share nothing), every
 * resource and every held name is compared.
 */
import type { Snapshot, SnapshotLayers } from './snapshot';
import { HeldResources, inScope } from './held-resources';
import { addedNames, changedNames, goneNames } from './set-difference';
import type { CachedResource, Subscription, WatchResponse } from './watch';

function byName(a: CachedResource, b: CachedResource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Names that may differ between what `held` holds and `snapshot`'s resources
 * of the type within `subscription` (a superset of those that do), or
 * `undefined` when only a full comparison tells.
 */
function candidates(held: HeldResources, now: SnapshotLayers, subscription: Subscription): Iterable<string>[] | undefined {
  const basis = held.basis;
  if (!basis) return undefined;
  const scope = basis.scope;
  if (subscription.wildcard && !scope.wildcard) return undefined;
  const lists: Iterable<string>[] = [];
  if (held.exceptions.size > 0) lists.push(held.exceptions.keys());
  if (basis.own !== now.own) lists.push(basis.own.keys(), now.own.keys());
  if (basis.shared !== now.shared) {
    if (basis.shared && now.shared) {
      lists.push(changedNames(basis.shared, now.shared), goneNames(basis.shared, now.shared));
    } else {
      const set = basis.shared ?? now.shared;
      if (set) lists.push(set.resources.keys());
    }
  }
  if (!subscription.wildcard && !scope.wildcard && subscription.names !== scope.names) {
    // A namespace gained selects names that no list holds: compare in full.
    if (subscription.namespaced === true) return undefined;
    lists.push(addedNames(scope.names, subscription.names));
  }
  return lists;
}

/** What a delta client holding `held` should receive from `snapshot`, or `undefined` when it is up to date. */
export function deltaAnswer(snapshot: Snapshot, typeUrl: string, held: HeldResources, subscription: Subscription): WatchResponse | undefined {
  const version = snapshot.version(typeUrl);
  if (held.rejected !== undefined && held.rejected === version) return undefined;
  const all = snapshot.resources(typeUrl);
  const resources: CachedResource[] = [];
  const removed: string[] = [];
  const layers = snapshot.layers(typeUrl);
  const lists = candidates(held, layers, subscription);
  if (lists) {
    if (lists.length === 0) return undefined;
    const seen = new Set<string>();
    for (const list of lists) {
      for (const name of list) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (!inScope(subscription, name)) continue;
        const have = held.version(name);
        const resource = all.get(name);
        if (resource) {
          if (resource.version !== have) resources.push(resource);
        } else if (have !== undefined) {
          removed.push(name);
        }
      }
    }
    resources.sort(byName);
  } else {
    for (const resource of all.values()) {
      if (inScope(subscription, resource.name) && held.version(resource.name) !== resource.version) resources.push(resource);
    }
    for (const [name] of held.entries()) if (inScope(subscription, name) && !all.has(name)) removed.push(name);
  }
  if (resources.length === 0 && removed.length === 0) return undefined;
  removed.sort();
  const basis = { ...(layers.shared ? { shared: layers.shared } : {}), own: layers.own, scope: subscription };
  return { typeUrl, version, resources, removed, held: HeldResources.exactly(basis) };
}
