/**
 * Holds the current snapshot of each proxy (by node id) and answers watches
 * from the server. Setting a snapshot answers every pending watch whose answer
 * changed, in the order CDS, EDS, LDS, RDS, SDS.
 */
import { RESOURCE_TYPES } from '../resource-types';
import { checkConsistency, ConsistencyResult } from './consistency';
import type { Snapshot } from './snapshot';
import type {
  CachedResource,
  CancelWatch,
  ConfigWatcher,
  KnownState,
  Subscription,
  WatchCallback,
  WatchResponse,
} from './watch';

export interface SetSnapshotOptions {
  /**
   * Store the snapshot even when it references RDS/EDS names it does not hold.
   * @default false — an inconsistent snapshot is refused and the previous one kept
   */
  readonly allowInconsistent?: boolean;
}

interface PendingWatch {
  readonly typeUrl: string;
  readonly known: KnownState;
  readonly subscription: Subscription;
  readonly callback: WatchCallback;
}

const TYPE_ORDER: ReadonlyMap<string, number> = new Map(RESOURCE_TYPES.map((t, i) => [t.typeUrl, i]));

function typeRank(typeUrl: string): number {
  return TYPE_ORDER.get(typeUrl) ?? TYPE_ORDER.size;
}

export class SnapshotCache implements ConfigWatcher {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watches = new Map<string, Set<PendingWatch>>();

  /**
   * Makes `snapshot` the current one for `nodeId` and answers pending watches.
   * An inconsistent snapshot (see `checkConsistency`) is refused unless
   * `allowInconsistent` is set; the result names the missing resources.
   */
  public setSnapshot(nodeId: string, snapshot: Snapshot, options: SetSnapshotOptions = {}): ConsistencyResult {
    const consistency = checkConsistency(snapshot);
    if (!consistency.ok && !(options.allowInconsistent ?? false)) return consistency;
    this.snapshots.set(nodeId, snapshot);
    const pending = this.watches.get(nodeId);
    if (pending) {
      const ordered = [...pending].sort((a, b) => typeRank(a.typeUrl) - typeRank(b.typeUrl));
      for (const watch of ordered) {
        if (!pending.has(watch)) continue; // cancelled by an earlier callback
        const response = answer(snapshot, watch.typeUrl, watch.known, watch.subscription);
        if (response) {
          pending.delete(watch);
          watch.callback(response);
        }
      }
      if (pending.size === 0 && this.watches.get(nodeId) === pending) this.watches.delete(nodeId);
    }
    return consistency;
  }

  /** The current snapshot of `nodeId`, if any. */
  public getSnapshot(nodeId: string): Snapshot | undefined {
    return this.snapshots.get(nodeId);
  }

  /** Forgets the snapshot of `nodeId` (pending watches stay pending). */
  public clearSnapshot(nodeId: string): void {
    this.snapshots.delete(nodeId);
  }

  /** Node ids that have a snapshot. */
  public nodeIds(): string[] {
    return [...this.snapshots.keys()];
  }

  /** Number of pending watches, for one node or for all. */
  public pendingWatchCount(nodeId?: string): number {
    if (nodeId !== undefined) return this.watches.get(nodeId)?.size ?? 0;
    let count = 0;
    for (const set of this.watches.values()) count += set.size;
    return count;
  }

  public watch(
    nodeId: string,
    typeUrl: string,
    known: KnownState,
    subscription: Subscription,
    callback: WatchCallback,
  ): CancelWatch {
    const snapshot = this.snapshots.get(nodeId);
    if (snapshot) {
      const response = answer(snapshot, typeUrl, known, subscription);
      if (response) {
        callback(response);
        return () => undefined;
      }
    }
    const watch: PendingWatch = { typeUrl, known, subscription, callback };
    let set = this.watches.get(nodeId);
    if (!set) {
      set = new Set();
      this.watches.set(nodeId, set);
    }
    set.add(watch);
    return () => {
      const current = this.watches.get(nodeId);
      if (!current) return;
      current.delete(watch);
      if (current.size === 0) this.watches.delete(nodeId);
    };
  }
}

/** What a watch should receive from `snapshot`, or `undefined` when the client is up to date. */
function answer(
  snapshot: Snapshot,
  typeUrl: string,
  known: KnownState,
  subscription: Subscription,
): WatchResponse | undefined {
  const version = snapshot.version(typeUrl);
  const all = snapshot.resources(typeUrl);
  const inScope = (name: string): boolean => subscription.wildcard || subscription.names.has(name);

  if (typeof known === 'string') {
    if (known === version) return undefined;
    const resources: CachedResource[] = [];
    for (const resource of all.values()) if (inScope(resource.name)) resources.push(resource);
    return { typeUrl, version, resources, removed: [] };
  }

  const resources: CachedResource[] = [];
  for (const resource of all.values()) {
    if (inScope(resource.name) && known.get(resource.name) !== resource.version) resources.push(resource);
  }
  const removed: string[] = [];
  for (const name of known.keys()) {
    if (inScope(name) && !all.has(name)) removed.push(name);
  }
  if (resources.length === 0 && removed.length === 0) return undefined;
  return { typeUrl, version, resources, removed };
}
