/**
 * How requests change what a stream is subscribed to, following the xDS
 * protocol: `*` subscribes to everything; for LDS and CDS, a first request with
 * no names is the legacy wildcard, kept while the client keeps sending no names.
 *
 * Thousands of proxies subscribe to the same few thousand names and repeat
 * them in every ACK, so name sets are interned (one shared set per distinct
 * set of names, whatever stream asked for it) and a request naming what the
 * stream already holds returns the previous subscription without building
 * anything.
 */
import { isNamespaced, isWildcardByDefault } from '../resource-types';
import type { Subscription } from '../cache';

export const WILDCARD = '*';

/** A subscription with the bookkeeping for the legacy wildcard. */
export interface StreamSubscription extends Subscription {
  /** Wildcard only because the client sent no names (LDS/CDS). */
  readonly legacyWildcard: boolean;
  /** The subscribed names, sorted (shared by every subscription to the same names). */
  readonly sortedNames: readonly string[];
  /** The names as the request that created the set encoded them, when known (state of the world). */
  readonly encodedNames?: Buffer;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Nothing subscribed yet. */
export const EMPTY_SUBSCRIPTION: StreamSubscription = {
  wildcard: false,
  legacyWildcard: false,
  names: NO_NAMES,
  sortedNames: [],
};

interface NameSet {
  readonly names: ReadonlySet<string>;
  readonly sorted: readonly string[];
  /** The encoding of the first request that named exactly these names, if it was kept. */
  encoded?: Buffer;
}

/** Distinct name sets in use, by their sorted names joined; an entry lives as long as a subscription holds it. */
const nameSets = new Map<string, WeakRef<NameSet>>();
const forgetNameSet = new FinalizationRegistry<string>((key) => {
  if (nameSets.get(key)?.deref() === undefined) nameSets.delete(key);
});

/** The shared set holding exactly `names` (which may repeat a name); `encoded` is how a request spelled them. */
function internNames(names: Iterable<string>, encoded?: Buffer): NameSet {
  const sorted = [...new Set(names)].sort();
  if (sorted.length === 0) return { names: NO_NAMES, sorted: EMPTY_SUBSCRIPTION.sortedNames };
  const key = sorted.join('\n');
  const existing = nameSets.get(key)?.deref();
  if (existing) {
    existing.encoded ??= encoded && Buffer.from(encoded);
    return existing;
  }
  const created: NameSet = { names: new Set(sorted), sorted: Object.freeze(sorted), encoded: encoded && Buffer.from(encoded) };
  nameSets.set(key, new WeakRef(created));
  forgetNameSet.register(created, key);
  return created;
}

function subscription(typeUrl: string, wildcard: boolean, legacyWildcard: boolean, set: NameSet): StreamSubscription {
  return {
    wildcard,
    legacyWildcard,
    ...(isNamespaced(typeUrl) ? { namespaced: true } : {}),
    names: set.names,
    sortedNames: set.sorted,
    get encodedNames() {
      return set.encoded;
    },
  };
}

/**
 * Whether `requested` (a state-of-the-world request's names) selects exactly
 * what `current` holds: compared in order first (clients repeat their list
 * as they sent it), then by membership.
 */
function namesUnchanged(current: StreamSubscription, requested: readonly string[]): boolean {
  const wildcard = requested.includes(WILDCARD);
  if (wildcard !== current.wildcard || current.legacyWildcard) return false;
  const count = requested.length - (wildcard ? 1 : 0);
  if (count !== current.names.size) return false;
  const sorted = current.sortedNames;
  let inOrder = !wildcard;
  for (let i = 0; inOrder && i < count; i++) inOrder = requested[i] === sorted[i];
  if (inOrder) return true;
  // Same size and every requested name held: the same set unless a name repeats.
  const seen = new Set<string>();
  for (const name of requested) {
    if (name === WILDCARD) continue;
    if (!current.names.has(name) || seen.has(name)) return false;
    seen.add(name);
  }
  return true;
}

/** The names of a state-of-the-world request, and their encoding when the decoder kept it. */
export interface RequestedNames {
  readonly resource_names: readonly string[];
  readonly resource_names_encoded?: Buffer;
}

/**
 * State of the world: every request carries the full list of names. A request
 * whose names are encoded byte for byte as those of the subscription it
 * repeats is recognised without reading its names.
 */
export function sotwSubscription(
  previous: StreamSubscription | undefined,
  typeUrl: string,
  request: RequestedNames,
): StreamSubscription {
  const encoded = request.resource_names_encoded;
  if (previous && encoded && !previous.wildcard && !previous.legacyWildcard && previous.encodedNames?.equals(encoded)) {
    return previous;
  }
  // Plain objects (tests, other decoders) may leave the field out.
  const resourceNames: readonly string[] = request.resource_names ?? [];
  if (resourceNames.length === 0) {
    const legacy = isWildcardByDefault(typeUrl) && (previous === undefined || previous.legacyWildcard);
    if (previous && previous.wildcard === legacy && previous.legacyWildcard === legacy && previous.names.size === 0) {
      return previous;
    }
    return subscription(typeUrl, legacy, legacy, internNames([]));
  }
  if (previous && namesUnchanged(previous, resourceNames)) return previous;
  const wildcard = resourceNames.includes(WILDCARD);
  const names = resourceNames.filter((n) => n !== WILDCARD);
  // The encoding identifies the set only when it spells no wildcard.
  return subscription(typeUrl, wildcard, false, internNames(names, wildcard ? undefined : encoded));
}

/** Delta: requests carry changes to the subscription. */
export function deltaSubscription(
  previous: StreamSubscription | undefined,
  typeUrl: string,
  subscribe: readonly string[],
  unsubscribe: readonly string[],
): StreamSubscription {
  const first = previous === undefined;
  const base = previous ?? EMPTY_SUBSCRIPTION;
  if (!first && subscribe.length === 0 && unsubscribe.length === 0) return base;
  let wildcard = base.wildcard;
  let legacyWildcard = base.legacyWildcard;
  if (first && subscribe.length === 0 && isWildcardByDefault(typeUrl)) {
    wildcard = true;
    legacyWildcard = true;
  }
  const names = new Set(base.names);
  for (const name of subscribe) {
    if (name === WILDCARD) {
      wildcard = true;
      legacyWildcard = false;
    } else {
      names.add(name);
    }
  }
  for (const name of unsubscribe) {
    if (name === WILDCARD) {
      wildcard = false;
      legacyWildcard = false;
    } else {
      names.delete(name);
    }
  }
  return subscription(typeUrl, wildcard, legacyWildcard, internNames(names));
}

/** Whether two subscriptions select the same resources. */
export function sameSubscription(a: Subscription, b: Subscription): boolean {
  if (a === b) return true;
  if (a.wildcard !== b.wildcard || a.names.size !== b.names.size) return false;
  if (a.names === b.names) return true;
  for (const name of a.names) if (!b.names.has(name)) return false;
  return true;
}
