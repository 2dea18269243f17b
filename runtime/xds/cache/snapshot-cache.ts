/**
 * Holds the current snapshot of each proxy (by node id) and answers watches
 * from the server. Setting a snapshot answers every pending watch whose answer
 * changed, in the order CDS, EDS, LDS, RDS, SDS.
 */
import { RESOURCE_TYPES, TypeUrl } from '../resource-types';
import { checkConsistency, ConsistencyResult } from './consistency';
import { deltaAnswer } from './delta-answer';
import { HeldResources, inScope } from './held-resources';
import { changedNames } from './set-difference';
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

function byName(a: CachedResource, b: CachedResource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const TYPE_ORDER: ReadonlyMap<string, number> = new Map(RESOURCE_TYPES.map((t, i) => [t.typeUrl, i]));

function typeRank(typeUrl: string): number {
  return TYPE_ORDER.get(typeUrl) ?? TYPE_ORDER.size;
}

/**
 * Types whose state-of-the-world responses may hold only the resources that
 * changed (xDS: only LDS and CDS responses must hold every resource; for EDS
 * and RDS a resource left out is not removed).
 */
const PARTIAL_SOTW_TYPES: ReadonlySet<string> = new Set([TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration]);

/** How many sent versions per node and type are remembered as bases of partial answers. */
const SENT_HISTORY = 2;

interface SentVersion {
  readonly version: string;
  readonly snapshot: Snapshot;
}

/** What a client holding `basis` lacks of `typeUrl` in `snapshot`. */
interface Basis {
  readonly resources: ReadonlyMap<string, CachedResource>;
  /** Names that may differ (a superset of those that do); undefined: any may. */
  readonly candidates?: Iterable<string>;
}

/** The basis of a partial answer: the resources the client holds, and which names can differ. */
function basisOf(sent: SentVersion, snapshot: Snapshot, typeUrl: string): Basis {
  const resources = sent.snapshot.resources(typeUrl);
  const before = sent.snapshot.layers(typeUrl);
  const now = snapshot.layers(typeUrl);
  if (!before.shared || !now.shared) return { resources };
  return { resources, candidates: [...changedNames(before.shared, now.shared), ...now.own.keys()] };
}

export interface SnapshotCacheOptions {
  /**
   * Answer state-of-the-world EDS and RDS watches of a client that holds a
   * version this cache sent with only the resources changed since. Whoever
   * sees the client's NACKs must then call `forgetSent` (a client that
   * rejected a version does not hold it). @default false — every subscribed resource
   */
  readonly partialSotwAnswers?: boolean;
}

export class SnapshotCache implements ConfigWatcher {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watches = new Map<string, Set<PendingWatch>>();
  /** Per node and type, versions recently sent in state-of-the-world answers, with their resources. */
  private readonly sent = new Map<string, Map<string, SentVersion[]>>();
  private readonly partialSotwAnswers: boolean;

  public constructor(options: SnapshotCacheOptions = {}) {
    this.partialSotwAnswers = options.partialSotwAnswers ?? false;
  }

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
        const response = this.answer(nodeId, snapshot, watch.typeUrl, watch.known, watch.subscription);
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
    this.sent.delete(nodeId);
  }

  /**
   * Forgets what was sent to `nodeId` (of `typeUrl`, or of every type), so its
   * next state-of-the-world answers hold every subscribed resource: after a
   * NACK, the client does not hold the version last sent.
   */
  public forgetSent(nodeId: string, typeUrl?: string): void {
    if (typeUrl === undefined) this.sent.delete(nodeId);
    else this.sent.get(nodeId)?.delete(typeUrl);
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
      const response = this.answer(nodeId, snapshot, typeUrl, known, subscription);
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

  /**
   * `answer`, remembering state-of-the-world answers: an EDS or RDS client
   * known to hold a version this cache sent gets only the resources changed
   * since (when any changed; else every subscribed one).
   */
  private answer(nodeId: string, snapshot: Snapshot, typeUrl: string, known: KnownState, subscription: Subscription): WatchResponse | undefined {
    if (typeof known !== 'string' || !this.partialSotwAnswers) return answer(snapshot, typeUrl, known, subscription);
    const partial = PARTIAL_SOTW_TYPES.has(typeUrl) && !subscription.wildcard && subscription.namespaced !== true && known !== '';
    const basis = partial ? this.sent.get(nodeId)?.get(typeUrl)?.find((v) => v.version === known) : undefined;
    const response = answer(snapshot, typeUrl, known, subscription, basis ? basisOf(basis, snapshot, typeUrl) : undefined);
    if (response && PARTIAL_SOTW_TYPES.has(typeUrl)) {
      let byType = this.sent.get(nodeId);
      if (!byType) this.sent.set(nodeId, (byType = new Map()));
      const history = (byType.get(typeUrl) ?? []).filter((v) => v.version !== response.version);
      history.push({ version: response.version, snapshot });
      byType.set(typeUrl, history.slice(-SENT_HISTORY));
    }
    return response;
  }
}

/**
 * What a watch should receive from `snapshot`, or `undefined` when the client
 * is up to date. With `basis` (the resources of the state-of-the-world version
 * the client holds), only the subscribed resources that differ from it, when any do.
 */
function answer(
  snapshot: Snapshot,
  typeUrl: string,
  known: KnownState,
  subscription: Subscription,
  basis?: Basis,
): WatchResponse | undefined {
  const version = snapshot.version(typeUrl);
  const all = snapshot.resources(typeUrl);

  if (typeof known === 'string') {
    if (known === version) return undefined;
    const resources: CachedResource[] = [];
    if (basis && !subscription.wildcard) {
      for (const name of basis.candidates ?? subscription.names) {
        const resource = all.get(name);
        if (!resource || !subscription.names.has(name)) continue;
        const held = basis.resources.get(name);
        if (held !== resource && held?.version !== resource.version) resources.push(resource);
      }
      if (resources.length > 0) return { typeUrl, version, resources: resources.sort(byName), removed: [] };
    }
    for (const resource of all.values()) if (inScope(subscription, resource.name)) resources.push(resource);
    return { typeUrl, version, resources, removed: [] };
  }

  return deltaAnswer(snapshot, typeUrl, known instanceof HeldResources ? known : HeldResources.of(known), subscription);
}
