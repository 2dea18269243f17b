/**
 * Shared resources carried over from one config snapshot to the next: a
 * resource computed again for a new snapshot, equal in content to the one
 * computed for an earlier snapshot under the same key, is replaced by that
 * earlier object. Its encoding, version and validation (cached by object
 * identity downstream) are then reused, and unchanged shared lists stay the
 * same list object.
 */
import type { PlainMessage } from './envoy';

/** Keys kept (least recently used dropped first). */
const CAPACITY = 200_000;

interface Entry {
  readonly json: string;
  readonly value: PlainMessage;
}

const resources = new Map<string, Entry>();
const lists = new Map<string, readonly PlainMessage[]>();

function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/** `value`, or the earlier resource of `key` when its content is the same. */
export function carryOver(key: string, value: PlainMessage): PlainMessage {
  const json = JSON.stringify(value);
  const known = resources.get(key);
  if (known && known.json === json) {
    remember(resources, key, known, CAPACITY);
    return known.value;
  }
  remember(resources, key, { json, value }, CAPACITY);
  return value;
}

/** `list`, or the earlier list of `key` when it holds the same objects in the same order. */
export function carryOverList(key: string, list: readonly PlainMessage[]): readonly PlainMessage[] {
  const known = lists.get(key);
  const same = known !== undefined && known.length === list.length && known.every((r, i) => r === list[i]);
  const kept = same ? known : list;
  remember(lists, key, kept, CAPACITY / 100);
  return kept;
}
