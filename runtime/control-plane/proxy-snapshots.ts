/**
 * The connected proxies and their snapshots: the first snapshot when a proxy's
 * stream opens, a new one after each config change that can affect it. A
 * translation that throws (or a snapshot refused by validation or by the
 * cache's consistency check) leaves the proxy on its last good snapshot; the
 * failure is logged, counted and kept for `/debug/config_errors`.
 *
 * Each published type whose version changed because of a config change is
 * remembered with the time of the change, so that the response carrying it and
 * the proxy's ACK of it can be timed (push latency and convergence).
 */
import type { ConfigSnapshot } from '../config/config-snapshot';
import type { PlainMessage } from '../xds/protos';
import type { ResourceSet } from '../xds/cache/resource-set';
import { Snapshot } from '../xds/cache/snapshot';
import type { CachedResource } from '../xds/cache/watch';
import type { SnapshotCache } from '../xds/cache/snapshot-cache';
import { RESOURCE_TYPES, shortTypeName } from '../xds/resource-types';
import type { NodeInfo } from '../xds/server/node';
import type { NackRecord, XdsProtocol } from '../xds/server/status-registry';
import {
  EnvoyResources, GRPC_GENERATOR, ProxyIdentity, TranslateOptions, endpointsOnlyTranslation, proxyIdentity, snapshotResources, translate,
  virtualHostsApart,
} from '../xds/translate';
import { TypeUrl } from '../xds/resource-types';
import { ChangeImpact, isEndpointsOnly } from './change-impact';
import type { MergedChange } from './debouncer';
import type { ControlPlaneLogger } from './logger';
import type { ControlPlaneMetrics } from './metrics';
import type { SnapshotValidator } from './snapshot-validation';

/** The translation, replaceable in tests. */
export type TranslateFn = (snapshot: ConfigSnapshot, proxy: ProxyIdentity, options: TranslateOptions) => EnvoyResources;

export interface ProxySnapshotsProps {
  readonly cache: SnapshotCache;
  readonly logger: ControlPlaneLogger;
  readonly metrics: ControlPlaneMetrics;
  /** The current config snapshot. */
  readonly config: () => ConfigSnapshot;
  readonly validate: SnapshotValidator;
  readonly translateOptions?: TranslateOptions;
  /** @default translate */
  readonly translate?: TranslateFn;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Longest run of translations before the event loop gets a turn (ACKs are
   * read and responses written in between). @default 5
   */
  readonly sliceMs?: number;
  /**
   * Bytes of pushes sent but not yet acknowledged above which no further proxy
   * is published until ACKs come back (at least one proxy is always in flight):
   * bounds the responses buffered towards slow readers. @default 64 MiB
   */
  readonly maxInflightBytes?: number;
  /** A push not acknowledged within this time stops counting as in flight. @default 10000 */
  readonly inflightTimeoutMs?: number;
  /**
   * Send Envoy-style proxies on delta ADS their virtual hosts one by one (VHDS)
   * instead of inside their route configurations. @default true
   */
  readonly vhds?: boolean;
}

/** A failure of one proxy's last translation. */
export interface ProxyError {
  readonly nodeId: string;
  readonly message: string;
  readonly at: Date;
}

interface PendingType {
  readonly version: string;
  readonly changeAt: number;
  sentObserved: boolean;
}

interface ConnectedProxy {
  readonly node: NodeInfo;
  readonly identity?: ProxyIdentity;
  /** Virtual hosts go apart from their route configurations (VHDS). */
  readonly vhds: boolean;
  streams: number;
  /** Config snapshot version last translated successfully. */
  configVersion?: number;
  /** The config snapshot last translated successfully (the base of an endpoint-only update). */
  config?: ConfigSnapshot;
  conflicts: readonly string[];
  error?: ProxyError;
  readonly pending: Map<string, PendingType>;
}

/** A proxy waiting for its snapshot: its first one, or after a config change. */
interface QueuedPush {
  scope: 'connect' | 'full' | 'eds';
  readonly changeAt: number | undefined;
  /** Put back at the end of the queue once already (see `drain`). */
  readonly requeued?: boolean;
}

/** A published snapshot whose changed types the proxy has not acknowledged yet. */
interface InflightPush {
  /** Type URL → version awaiting ACK. */
  readonly versions: Map<string, string>;
  readonly bytes: number;
  readonly since: number;
}

export class ProxySnapshots {
  private readonly proxies = new Map<string, ConnectedProxy>();
  private readonly translateFn: TranslateFn;
  private readonly now: () => number;
  private readonly sliceMs: number;
  /** Proxies to publish, with the latest delivered config, in turns (see `sliceMs`). */
  private readonly queue = new Map<string, QueuedPush>();
  private latest: ConfigSnapshot | undefined;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxInflightBytes: number;
  private readonly inflightTimeoutMs: number;
  private readonly inflight = new Map<string, InflightPush>();
  private inflightBytes = 0;
  private inflightTimer: NodeJS.Timeout | undefined;

  public constructor(private readonly props: ProxySnapshotsProps) {
    this.translateFn = props.translate ?? translate;
    this.now = props.now ?? Date.now;
    this.sliceMs = props.sliceMs ?? 5;
    this.maxInflightBytes = props.maxInflightBytes ?? 64 * 1024 * 1024;
    this.inflightTimeoutMs = props.inflightTimeoutMs ?? 10_000;
  }

  /**
   * A stream of `node` opened: registers the proxy and publishes its first
   * snapshot (once per node; the first stream's protocol decides whether its
   * virtual hosts come over VHDS).
   */
  public connect(node: NodeInfo, protocol: XdsProtocol = 'sotw'): void {
    const known = this.proxies.get(node.id);
    if (known) {
      known.streams += 1;
      return;
    }
    let identity: ProxyIdentity | undefined;
    let error: ProxyError | undefined;
    try {
      identity = proxyIdentity(node);
    } catch (e) {
      error = { nodeId: node.id, message: (e as Error).message, at: new Date() };
      this.props.logger.warn(`proxy: cannot serve ${node.id}: ${error.message}`);
      this.props.metrics.translationErrors.inc();
    }
    const vhds = (this.props.vhds ?? true) && protocol === 'delta' && identity !== undefined && identity.generator !== GRPC_GENERATOR;
    const proxy: ConnectedProxy = { node, ...(identity ? { identity } : {}), vhds, streams: 1, conflicts: [], ...(error ? { error } : {}), pending: new Map() };
    this.proxies.set(node.id, proxy);
    this.props.metrics.connectedProxies.set(this.proxies.size);
    this.props.logger.info(`proxy: ${node.id} connected${identity?.generator ? ` (generator ${identity.generator})` : ''}`);
    if (identity) {
      this.queue.set(node.id, { scope: 'connect', changeAt: undefined });
      this.drain();
    }
  }

  /** A stream of `node` closed: forgets the proxy and its snapshot when it was the last. */
  public disconnect(node: NodeInfo): void {
    const proxy = this.proxies.get(node.id);
    if (!proxy) return;
    proxy.streams -= 1;
    if (proxy.streams > 0) return;
    this.proxies.delete(node.id);
    this.queue.delete(node.id);
    this.release(node.id);
    this.props.cache.clearSnapshot(node.id);
    this.props.metrics.connectedProxies.set(this.proxies.size);
    this.props.logger.info(`proxy: ${node.id} disconnected`);
  }

  /**
   * Recomputes the proxies `change` can affect; returns how many are to be
   * recomputed and how many are skipped. Proxies are published one after the
   * other, each as soon as its snapshot is ready, yielding to the event loop
   * every `sliceMs` (see `whenIdle`); a proxy still waiting when the next change
   * comes is published once, with the newer config.
   */
  public applyChange(change: MergedChange): { recomputed: number; skipped: number } {
    const impact = new ChangeImpact(change, this.props.translateOptions);
    const scope = isEndpointsOnly(change) ? 'eds' : 'full';
    let recomputed = 0;
    let skipped = 0;
    for (const proxy of this.proxies.values()) {
      if (!proxy.identity) continue;
      const queued = this.queue.get(proxy.node.id);
      if (!queued && !impact.affects(proxy.identity)) {
        skipped += 1;
        this.props.logger.debug(`proxy: ${proxy.node.id} not affected by config version ${change.snapshot.version}`);
        continue;
      }
      recomputed += 1;
      if (queued) queued.scope = queued.scope === 'connect' ? 'connect' : queued.scope === 'eds' && scope === 'eds' ? 'eds' : 'full';
      else this.queue.set(proxy.node.id, { scope, changeAt: change.firstAt });
    }
    this.latest = change.snapshot;
    this.drain();
    return { recomputed, skipped };
  }

  /** Resolves once every queued proxy is published. */
  public whenIdle(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Publishes queued proxies for up to `sliceMs`, then again on a later turn
   * of the event loop, until none is left or the pushes in flight reach
   * `maxInflightBytes` (ACKs resume it).
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const slice = (): void => {
      const until = performance.now() + this.sliceMs;
      for (const [nodeId, queued] of this.queue) {
        if (this.inflight.size > 0 && this.inflightBytes >= this.maxInflightBytes) {
          this.draining = false; // an ACK (or the in-flight timeout) drains again
          return;
        }
        this.queue.delete(nodeId);
        const proxy = this.proxies.get(nodeId);
        const config = queued.scope === 'connect' || !this.latest ? this.props.config() : this.latest;
        // Cheap endpoint-only pushes first: the few proxies an endpoint change reaches further wait for them.
        if (proxy?.identity && this.publish(proxy, config, queued.scope, queued.changeAt, !queued.requeued) === 'deferred') {
          this.queue.set(nodeId, { scope: 'eds', changeAt: queued.changeAt, requeued: true });
          continue;
        }
        if (performance.now() >= until) break;
      }
      if (this.queue.size > 0) {
        setImmediate(slice);
        return;
      }
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    };
    slice();
  }

  /** The load assignments of `proxy` under `config` when nothing else of it changes (see `endpointsOnlyTranslation`). */
  private endpointsOnly(proxy: ConnectedProxy, config: ConfigSnapshot): readonly PlainMessage[] | undefined {
    if (!proxy.identity || proxy.error || !proxy.config || this.props.translate || !this.props.cache.getSnapshot(proxy.node.id)) return undefined;
    return endpointsOnlyTranslation(proxy.config, config, proxy.identity, this.props.translateOptions ?? {});
  }

  /** Counts a published snapshot as in flight until its changed types are acknowledged. */
  private track(nodeId: string, previous: Snapshot | undefined, snapshot: Snapshot, changed: readonly string[]): void {
    this.release(nodeId);
    const versions = new Map(changed.map((t) => [t, snapshot.version(t)] as const));
    const bytes = changed.reduce((sum, t) => sum + pushBytes(previous, snapshot, t), 0);
    this.inflight.set(nodeId, { versions, bytes, since: this.now() });
    this.inflightBytes += bytes;
    if (!this.inflightTimer) {
      this.inflightTimer = setTimeout(() => this.expireInflight(), this.inflightTimeoutMs);
      this.inflightTimer.unref();
    }
  }

  /** Stops counting `nodeId`'s push (all of it, or its `typeUrl` at `version`) as in flight; resumes publishing. */
  private release(nodeId: string, typeUrl?: string, version?: string): void {
    const push = this.inflight.get(nodeId);
    if (!push) return;
    if (typeUrl !== undefined) {
      if (push.versions.get(typeUrl) !== version) return;
      push.versions.delete(typeUrl);
      if (push.versions.size > 0) return;
    }
    this.inflight.delete(nodeId);
    this.inflightBytes -= push.bytes;
    if (this.queue.size > 0) this.drain();
  }

  private expireInflight(): void {
    this.inflightTimer = undefined;
    const limit = this.now() - this.inflightTimeoutMs;
    for (const [nodeId, push] of [...this.inflight]) if (push.since <= limit) this.release(nodeId);
    if (this.inflight.size > 0) {
      this.inflightTimer = setTimeout(() => this.expireInflight(), this.inflightTimeoutMs);
      this.inflightTimer.unref();
    }
  }

  /** Node ids of the connected proxies. */
  public nodeIds(): string[] {
    return [...this.proxies.keys()].sort();
  }

  /** The identity of a connected proxy. */
  public identityOf(nodeId: string): ProxyIdentity | undefined {
    return this.proxies.get(nodeId)?.identity;
  }

  /** Config version each proxy was last translated at. */
  public configVersionOf(nodeId: string): number | undefined {
    return this.proxies.get(nodeId)?.configVersion;
  }

  /** Current translation failures, and resources left out as conflicting, per proxy. */
  public problems(): { errors: ProxyError[]; conflicts: { nodeId: string; conflicts: readonly string[] }[] } {
    const errors: ProxyError[] = [];
    const conflicts: { nodeId: string; conflicts: readonly string[] }[] = [];
    for (const [nodeId, p] of this.proxies) {
      if (p.error) errors.push(p.error);
      if (p.conflicts.length > 0) conflicts.push({ nodeId, conflicts: p.conflicts });
    }
    return { errors, conflicts };
  }

  // --- push and convergence timing, fed by the status registry ---------------

  public sent(nodeId: string, typeUrl: string, version: string): void {
    const pending = this.proxies.get(nodeId)?.pending.get(typeUrl);
    if (!pending || pending.version !== version || pending.sentObserved) return;
    pending.sentObserved = true;
    this.props.metrics.observePush(typeUrl, (this.now() - pending.changeAt) / 1000);
  }

  public acked(nodeId: string, typeUrl: string, version: string): void {
    this.release(nodeId, typeUrl, version);
    const proxy = this.proxies.get(nodeId);
    const pending = proxy?.pending.get(typeUrl);
    if (!proxy || !pending || pending.version !== version) return;
    proxy.pending.delete(typeUrl);
    this.props.metrics.observeConvergence(typeUrl, (this.now() - pending.changeAt) / 1000);
  }

  public nacked(nodeId: string, nack: NackRecord): void {
    // The proxy does not hold the version it rejected: its next answers are whole.
    this.props.cache.forgetSent(nodeId, nack.typeUrl);
    this.release(nodeId, nack.typeUrl, nack.version);
    const proxy = this.proxies.get(nodeId);
    const pending = proxy?.pending.get(nack.typeUrl);
    if (proxy && pending && pending.version === nack.version) proxy.pending.delete(nack.typeUrl);
  }

  // --- publishing --------------------------------------------------------------

  /**
   * Translates and publishes `proxy`'s snapshot. With `deferFull`, an endpoint
   * change that needs the full translation is not done but `'deferred'`.
   */
  private publish(
    proxy: ConnectedProxy, config: ConfigSnapshot, scope: 'connect' | 'full' | 'eds', changeAt: number | undefined, deferFull = false,
  ): 'deferred' | 'done' {
    const identity = proxy.identity as ProxyIdentity;
    const nodeId = proxy.node.id;
    const fail = (message: string): void => {
      proxy.error = { nodeId, message, at: new Date() };
      this.props.metrics.translationErrors.inc();
      const kept = this.props.cache.getSnapshot(nodeId) ? 'last good snapshot kept' : 'no snapshot yet';
      this.props.logger.error(`proxy: ${nodeId}: config version ${config.version} not published (${kept}): ${message}`);
    };
    let snapshot: Snapshot;
    let conflicts: readonly string[];
    const previous = this.props.cache.getSnapshot(nodeId);
    const started = process.hrtime.bigint();
    let deferred = false;
    try {
      const endpoints = scope === 'eds' ? this.endpointsOnly(proxy, config) : undefined;
      if (scope === 'eds' && !endpoints && deferFull) {
        deferred = true;
        return 'deferred';
      }
      if (endpoints && previous) {
        // Only load assignments can differ: the other types stay as they are.
        snapshot = previous.withTypes({ [TypeUrl.ClusterLoadAssignment]: { shared: endpoints, own: [] } });
        conflicts = proxy.conflicts;
      } else {
        const resources: EnvoyResources = this.translateFn(config, identity, this.props.translateOptions ?? {});
        const byType = snapshotResources(resources);
        snapshot = Snapshot.create({ resources: proxy.vhds ? virtualHostsApart(byType) : byType, ...(previous ? { previous } : {}) });
        conflicts = resources.conflicts;
      }
    } catch (e) {
      fail(`translation failed: ${e instanceof Error ? e.message : String(e)}`);
      return 'done';
    } finally {
      if (!deferred) this.props.metrics.translateDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
    const validation = this.props.validate(snapshot);
    if (!validation.ok) {
      fail(`invalid resources: ${validation.errors.join('; ')}`);
      return 'done';
    }
    const consistency = this.props.cache.setSnapshot(nodeId, snapshot);
    if (!consistency.ok) {
      fail(`inconsistent snapshot: ${consistency.errors.join('; ')}`);
      return 'done';
    }
    delete proxy.error;
    proxy.configVersion = config.version;
    proxy.config = config;
    if (conflicts.length > 0 && conflicts.join('\n') !== proxy.conflicts.join('\n')) {
      this.props.logger.warn(`proxy: ${nodeId}: ${conflicts.join('; ')}`);
    }
    proxy.conflicts = conflicts;
    const changed = RESOURCE_TYPES.map((t) => t.typeUrl).filter((t) =>
      previous?.version(t) !== snapshot.version(t) && ((previous?.resources(t).size ?? 0) > 0 || snapshot.resources(t).size > 0));
    if (changed.length === 0) {
      this.props.logger.debug(`proxy: ${nodeId}: config version ${config.version} changes nothing`);
      return 'done';
    }
    this.props.metrics.snapshotsPublished.inc({ scope });
    this.track(nodeId, previous, snapshot, changed);
    if (changeAt !== undefined) {
      for (const t of changed) proxy.pending.set(t, { version: snapshot.version(t), changeAt, sentObserved: false });
    }
    this.props.logger.info(`proxy: ${nodeId}: published config version ${config.version} (${scope}; changed ${changed.map(shortTypeName).join(', ')})`);
    return 'done';
  }
}

const SET_BYTES = new WeakMap<ResourceSet, number>();
const SET_DIFF_BYTES = new WeakMap<ResourceSet, WeakMap<ResourceSet, number>>();

function bytesOf(resources: Iterable<CachedResource>, unlike?: ReadonlyMap<string, CachedResource>): number {
  let bytes = 0;
  for (const r of resources) if (!unlike || unlike.get(r.name)?.version !== r.version) bytes += r.any.value.length;
  return bytes;
}

/** Bytes of the resources of `set` that differ from `basis` (all of them without one), once per pair of sets. */
function setBytes(set: ResourceSet, basis: ResourceSet | undefined): number {
  if (!basis) {
    let bytes = SET_BYTES.get(set);
    if (bytes === undefined) SET_BYTES.set(set, (bytes = bytesOf(set.resources.values())));
    return bytes;
  }
  let byBasis = SET_DIFF_BYTES.get(set);
  if (!byBasis) SET_DIFF_BYTES.set(set, (byBasis = new WeakMap()));
  let bytes = byBasis.get(basis);
  if (bytes === undefined) byBasis.set(basis, (bytes = bytesOf(set.resources.values(), basis.resources)));
  return bytes;
}

/** Types whose pushes carry only the resources that changed. */
const PARTIAL_PUSH_TYPES: ReadonlySet<string> = new Set([TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration, TypeUrl.VirtualHost]);

/** Roughly the bytes a push of `typeUrl` sends: what changed for EDS, RDS and VHDS (sent alone), everything for the others. */
function pushBytes(previous: Snapshot | undefined, snapshot: Snapshot, typeUrl: string): number {
  const partial = previous !== undefined && PARTIAL_PUSH_TYPES.has(typeUrl);
  const { shared, own } = snapshot.layers(typeUrl);
  const before = partial ? previous.layers(typeUrl) : undefined;
  const sharedBytes = shared ? setBytes(shared, before?.shared) : 0;
  return sharedBytes + bytesOf(own.values(), partial ? previous.resources(typeUrl) : undefined);
}
