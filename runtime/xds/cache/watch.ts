/**
 * The seam between the cache and the gRPC server. The server knows the cache
 * only through {@link ConfigWatcher}; tests drive each side against a fake of
 * the other.
 *
 * A watch is one-shot: the callback fires at most once, then the watch is gone.
 * The server opens a new watch when it is ready for the next response (after
 * the client's ACK/NACK in state-of-the-world, right after sending in delta).
 * The callback may fire synchronously, from inside `watch()`.
 */
import type { AnyMessage, PlainMessage } from '../protos';
import type { HeldResources } from './held-resources';

/** What a stream is subscribed to for one type. */
export interface Subscription {
  /** Every resource of the type, plus `names`. */
  readonly wildcard: boolean;
  /** Resources subscribed by name. */
  readonly names: ReadonlySet<string>;
  /**
   * Names are namespaces too: `N` also selects every resource named `N/...`
   * (VHDS). @default false
   */
  readonly namespaced?: boolean;
}

/** One resource held by a snapshot: its name, content version and encodings. */
export interface CachedResource {
  readonly name: string;
  /** Version of this resource's content: a hash of its encoded bytes. */
  readonly version: string;
  readonly any: AnyMessage;
  /** The resource as a plain object with proto field names. */
  readonly resource: PlainMessage;
}

/**
 * What the client already has:
 * - state of the world: the type version last sent (`''` for none);
 * - delta: what the client holds ({@link HeldResources}, which streams holding
 *   the same versions share), or a plain map of resource name → version.
 */
export type KnownState = string | HeldResources | ReadonlyMap<string, string>;

/** What a watch delivers. */
export interface WatchResponse {
  readonly typeUrl: string;
  /** The snapshot's version of this type. */
  readonly version: string;
  /**
   * State of the world: every subscribed resource the snapshot holds.
   * Delta: the subscribed resources that are new or changed relative to the known versions.
   */
  readonly resources: readonly CachedResource[];
  /** Delta only: known resources (in the subscription) that the snapshot no longer holds. */
  readonly removed: readonly string[];
  /** Delta only: what the client holds once it applies this response (when the watcher tells). */
  readonly held?: HeldResources;
}

export type WatchCallback = (response: WatchResponse) => void;

/** Stops a pending watch. Calling it after the watch fired, or twice, does nothing. */
export type CancelWatch = () => void;

/** What the server needs from a cache. */
export interface ConfigWatcher {
  /**
   * Asks for `typeUrl` resources of `nodeId` matching `subscription`, answered
   * as soon as they differ from `known` (a version string for state of the
   * world, a map of resource versions for delta).
   */
  watch(
    nodeId: string,
    typeUrl: string,
    known: KnownState,
    subscription: Subscription,
    callback: WatchCallback,
  ): CancelWatch;
}
