/**
 * How requests change what a stream is subscribed to, following the xDS
 * protocol: `*` subscribes to everything; for LDS and CDS, a first request with
 * no names is the legacy wildcard, kept while the client keeps sending no names.
 */
import { isWildcardByDefault } from '../resource-types';
import type { Subscription } from '../cache';

export const WILDCARD = '*';

/** A subscription with the bookkeeping for the legacy wildcard. */
export interface StreamSubscription extends Subscription {
  /** Wildcard only because the client sent no names (LDS/CDS). */
  readonly legacyWildcard: boolean;
}

/** Nothing subscribed yet. */
export const EMPTY_SUBSCRIPTION: StreamSubscription = { wildcard: false, legacyWildcard: false, names: new Set() };

/** State of the world: every request carries the full list of names. */
export function sotwSubscription(
  previous: StreamSubscription | undefined,
  typeUrl: string,
  resourceNames: readonly string[],
): StreamSubscription {
  if (resourceNames.length === 0) {
    const legacy = isWildcardByDefault(typeUrl) && (previous === undefined || previous.legacyWildcard);
    return { wildcard: legacy, legacyWildcard: legacy, names: new Set() };
  }
  const names = new Set(resourceNames.filter((n) => n !== WILDCARD));
  return { wildcard: resourceNames.includes(WILDCARD), legacyWildcard: false, names };
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
  const names = new Set(base.names);
  let wildcard = base.wildcard;
  let legacyWildcard = base.legacyWildcard;
  if (first && subscribe.length === 0 && isWildcardByDefault(typeUrl)) {
    wildcard = true;
    legacyWildcard = true;
  }
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
  return { wildcard, legacyWildcard, names };
}

/** Whether two subscriptions select the same resources. */
export function sameSubscription(a: Subscription, b: Subscription): boolean {
  if (a.wildcard !== b.wildcard || a.names.size !== b.names.size) return false;
  for (const name of a.names) if (!b.names.has(name)) return false;
  return true;
}
