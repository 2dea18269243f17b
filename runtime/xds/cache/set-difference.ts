/**
 * Differences between shared, immutable sets (resource sets, interned name
 * sets), computed once per pair however many proxies or streams ask for them.
 * Thousands of streams move from the same set to the same next one, so a
 * difference is worth keeping as long as both sets live (weakly held).
 */
import type { ResourceSet } from './resource-set';

const CHANGED_NAMES = new WeakMap<ResourceSet, WeakMap<ResourceSet, readonly string[]>>();
const GONE_NAMES = new WeakMap<ResourceSet, WeakMap<ResourceSet, readonly string[]>>();
const ADDED_NAMES = new WeakMap<ReadonlySet<string>, WeakMap<ReadonlySet<string>, readonly string[]>>();

function pairCached<K extends object>(
  cache: WeakMap<K, WeakMap<K, readonly string[]>>,
  first: K,
  second: K,
  compute: () => readonly string[],
): readonly string[] {
  let bySecond = cache.get(first);
  if (!bySecond) cache.set(first, (bySecond = new WeakMap()));
  let names = bySecond.get(second);
  if (!names) bySecond.set(second, (names = compute()));
  return names;
}

/** Names of `now`'s resources whose version differs in `before` (or that `before` lacks), in name order. */
export function changedNames(before: ResourceSet, now: ResourceSet): readonly string[] {
  return pairCached(CHANGED_NAMES, now, before, () => {
    const found: string[] = [];
    for (const r of now.resources.values()) if (before.resources.get(r.name)?.version !== r.version) found.push(r.name);
    return found;
  });
}

/** Names of `before`'s resources that `now` lacks, in name order. */
export function goneNames(before: ResourceSet, now: ResourceSet): readonly string[] {
  return pairCached(GONE_NAMES, now, before, () => {
    const found: string[] = [];
    for (const name of before.resources.keys()) if (!now.resources.has(name)) found.push(name);
    return found;
  });
}

/** Names in `now` that `before` lacks (for interned, never mutated name sets). */
export function addedNames(before: ReadonlySet<string>, now: ReadonlySet<string>): readonly string[] {
  return pairCached(ADDED_NAMES, now, before, () => {
    const found: string[] = [];
    for (const name of now) if (!before.has(name)) found.push(name);
    return found;
  });
}
