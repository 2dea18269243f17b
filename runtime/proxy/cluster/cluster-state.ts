/**
 * The cluster stage: one upstream cluster as the engine uses it. Built from a
 * CDS `Cluster` and its endpoints (EDS `ClusterLoadAssignment`, or the
 * cluster's own `load_assignment` for STATIC/DNS clusters); updated in place
 * when either changes, keeping per-host state (active requests, counters,
 * outlier ejections) for hosts that remain.
 *
 * Host choice: a priority level by Envoy's priority load (each level's
 * available share × overprovisioning factor, spilling to the next level), then
 * that level's balancer over its healthy hosts (degraded ones when none is
 * healthy), or over all its hosts when the level is in panic.
 */
import type { Cluster, ClusterLoadAssignment } from '../../xds/resources';
import { DEFAULT_OVERPROVISIONING_FACTOR } from '../../xds/resources';
import { CircuitBreakers } from './circuit-breaker';
import { Clock, systemClock } from './clock';
import { ClusterStats, newClusterStats } from './cluster-stats';
import { Host } from './host';
import type { LbContext } from './lb/load-balancer';
import { LocalOriginFailure, OutlierDetector } from './outlier-detector';
import { PriorityLevel } from './priority-level';
import { Random, systemRandom } from './random';

export interface ClusterStateOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default systemRandom */
  readonly random?: Random;
  /** Outlier detection ejects one host even when max_ejection_percent allows none (Envoy's always_eject_one_host). @default false */
  readonly alwaysEjectOneHost?: boolean;
}

/** A pick's inputs: the request hash, and an optional host predicate (retries avoiding previous hosts). */
export interface ChooseHostContext extends LbContext {
  /** True to reject a candidate and pick again (Envoy's retry host predicates). */
  rejectHost?: ((host: Host) => boolean) | undefined;
  /** Re-picks after a rejection before taking the last candidate. @default 1 (Envoy's host_selection_retry_max_attempts) */
  hostSelectionRetryMaxAttempts?: number | undefined;
}

/** The endpoints a cluster carries itself (STATIC, DNS), or none (EDS waits for EDS; ORIGINAL_DST has none). */
function ownAssignment(cluster: Cluster): ClusterLoadAssignment | undefined {
  const d = cluster.discovery;
  return d.type === 'STATIC' || d.type === 'STRICT_DNS' || d.type === 'LOGICAL_DNS' ? d.loadAssignment : undefined;
}

export class ClusterState {
  readonly stats: ClusterStats = newClusterStats();
  readonly circuitBreakers: CircuitBreakers;
  private currentCluster: Cluster;
  private assignment: ClusterLoadAssignment | undefined;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly alwaysEjectOneHost: boolean;
  private detector: OutlierDetector | undefined;
  private hostList: Host[] = [];
  private readonly byKey = new Map<string, Host>();
  private levels: PriorityLevel[] = [];
  /** Levels with load > 0 and their cumulative loads, for picking a level. */
  private loaded: PriorityLevel[] = [];
  private cumulativeLoad: Float64Array = new Float64Array(0);
  private closed = false;

  private constructor(cluster: Cluster, options: ClusterStateOptions) {
    this.currentCluster = cluster;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.alwaysEjectOneHost = options.alwaysEjectOneHost ?? false;
    this.circuitBreakers = new CircuitBreakers(cluster.circuitBreakers, this.stats);
    this.configureOutlierDetection();
  }

  /**
   * The state of `cluster` with `assignment` (EDS) or, when omitted, the
   * cluster's own endpoints. Starts the outlier-detection timer if configured;
   * call {@link close} when the cluster is removed.
   */
  static create(cluster: Cluster, assignment?: ClusterLoadAssignment, options: ClusterStateOptions = {}): ClusterState {
    const state = new ClusterState(cluster, options);
    state.setAssignment(assignment ?? ownAssignment(cluster));
    return state;
  }

  get name(): string {
    return this.currentCluster.name;
  }

  get cluster(): Cluster {
    return this.currentCluster;
  }

  /** The EDS service name for EDS clusters. */
  get edsServiceName(): string | undefined {
    const d = this.currentCluster.discovery;
    return d.type === 'EDS' ? d.serviceName : undefined;
  }

  get outlierDetector(): OutlierDetector | undefined {
    return this.detector;
  }

  /** All hosts, by priority then EDS order. */
  hosts(): readonly Host[] {
    return this.hostList;
  }

  /** A host by `address:port`. */
  host(key: string): Host | undefined {
    return this.byKey.get(key);
  }

  /** The priority levels, lowest number first. */
  priorities(): readonly PriorityLevel[] {
    return this.levels;
  }

  /** CDS update: new settings (balancer, thresholds, outlier detection); hosts and their state stay. STATIC/DNS endpoints are re-read. */
  updateCluster(cluster: Cluster): void {
    this.currentCluster = cluster;
    this.circuitBreakers.setThresholds(cluster.circuitBreakers);
    this.configureOutlierDetection();
    const own = ownAssignment(cluster);
    if (own) this.setAssignment(own);
    else this.rebuild();
  }

  /** EDS update: hosts that remain (same `address:port`) keep their state; removed hosts leave; new ones start fresh. */
  updateAssignment(assignment: ClusterLoadAssignment): void {
    this.setAssignment(assignment);
  }

  /**
   * Picks a host, or undefined when there is none to send to (the engine then
   * answers 503 with flag UH). Allocation-free apart from what `rejectHost` does.
   */
  chooseHost(context?: ChooseHostContext): Host | undefined {
    let host = this.pickOnce(context);
    const reject = context?.rejectHost;
    if (host && reject) {
      const attempts = context.hostSelectionRetryMaxAttempts ?? 1;
      for (let i = 0; i < attempts && host && reject(host); i++) host = this.pickOnce(context);
    }
    if (!host) this.stats.upstream_cx_none_healthy++;
    return host;
  }

  private pickOnce(context: LbContext | undefined): Host | undefined {
    const loaded = this.loaded;
    if (loaded.length === 0) return undefined;
    let level = loaded[0];
    if (loaded.length > 1) {
      const x = this.random.next() * 100;
      const c = this.cumulativeLoad;
      let i = 0;
      while (i < c.length - 1 && x >= c[i]) i++;
      level = loaded[i];
    }
    if (level.panic) this.stats.lb_healthy_panic++;
    return level.balancer()?.chooseHost(context);
  }

  // ---- events from the engine -------------------------------------------------

  /** A request was sent to `host` (after the circuit breaker admitted it). */
  onRequestStart(host: Host): void {
    host.rqActive++;
    host.stats.rq_total++;
    this.stats.upstream_rq_total++;
    this.stats.upstream_rq_active++;
  }

  /** The request to `host` ended (response complete, reset or timed out). */
  onRequestEnd(host: Host): void {
    if (host.rqActive > 0) host.rqActive--;
    if (this.stats.upstream_rq_active > 0) this.stats.upstream_rq_active--;
    this.stats.upstream_rq_completed++;
  }

  /** `host` answered with `status`: response-class counters and outlier detection. */
  onResponse(host: Host, status: number): void {
    const s = this.stats;
    if (status >= 500) { s.upstream_rq_5xx++; host.stats.rq_error++; }
    else {
      host.stats.rq_success++;
      if (status >= 400) s.upstream_rq_4xx++;
      else if (status >= 300) s.upstream_rq_3xx++;
      else if (status >= 200) s.upstream_rq_2xx++;
      else s.upstream_rq_1xx++;
    }
    this.detector?.putHttpResponse(host, status);
  }

  /** A local-origin failure with `host`: connect failure, request timeout or reset. */
  onLocalOriginFailure(host: Host, kind: LocalOriginFailure): void {
    host.stats.rq_error++;
    if (kind === 'connect-failure') { host.stats.cx_connect_fail++; this.stats.upstream_cx_connect_fail++; }
    else if (kind === 'timeout') { host.stats.rq_timeout++; this.stats.upstream_rq_timeout++; }
    this.detector?.putLocalOriginFailure(host, kind);
  }

  /** A connection to `host` opened. */
  onConnectionOpen(host: Host): void {
    host.cxActive++;
    host.stats.cx_total++;
    this.stats.upstream_cx_total++;
    this.stats.upstream_cx_active++;
    this.detector?.putLocalOriginSuccess(host);
  }

  /** A connection to `host` closed. */
  onConnectionClose(host: Host): void {
    if (host.cxActive > 0) host.cxActive--;
    if (this.stats.upstream_cx_active > 0) this.stats.upstream_cx_active--;
  }

  /** A request began waiting for a connection / stopped waiting. */
  onPendingStart(): void {
    this.stats.upstream_rq_pending_total++;
    this.stats.upstream_rq_pending_active++;
  }

  onPendingEnd(): void {
    if (this.stats.upstream_rq_pending_active > 0) this.stats.upstream_rq_pending_active--;
  }

  /** A retry was sent (after `tryAcquireRetry`). */
  onRetry(): void {
    this.stats.upstream_rq_retry++;
  }

  /** A retried request finally succeeded. */
  onRetrySuccess(): void {
    this.stats.upstream_rq_retry_success++;
  }

  /** Stops timers; the state must not be used afterwards. */
  close(): void {
    this.closed = true;
    this.detector?.stop();
  }

  // ---- building -----------------------------------------------------------------

  private configureOutlierDetection(): void {
    const config = this.currentCluster.outlierDetection;
    if (!config) {
      if (this.detector) {
        this.detector.stop();
        for (const h of this.hostList) this.detector.forget(h);
        this.detector = undefined;
      }
      return;
    }
    if (this.detector) {
      this.detector.setConfig(config);
      return;
    }
    this.detector = new OutlierDetector(config, this.stats.outlier_detection, {
      clock: this.clock,
      random: this.random,
      hosts: () => this.hostList,
      onChange: () => this.rebuild(),
      alwaysEjectOneHost: this.alwaysEjectOneHost,
    });
    if (!this.closed) this.detector.start();
  }

  private setAssignment(assignment: ClusterLoadAssignment | undefined): void {
    this.assignment = assignment;
    const next: Host[] = [];
    const nextKeys = new Set<string>();
    for (const l of assignment?.localities ?? []) {
      for (const e of l.endpoints) {
        const fresh = Host.fromEndpoint(e, l.locality, l.priority);
        if (!fresh || nextKeys.has(fresh.key)) continue;
        nextKeys.add(fresh.key);
        const existing = this.byKey.get(fresh.key);
        if (existing) existing.updateFrom(fresh);
        next.push(existing ?? fresh);
      }
    }
    let changed = next.length !== this.hostList.length;
    for (const h of this.hostList) {
      if (nextKeys.has(h.key)) continue;
      changed = true;
      this.detector?.forget(h);
      this.byKey.delete(h.key);
    }
    for (const h of next) {
      if (!this.byKey.has(h.key)) { changed = true; this.byKey.set(h.key, h); }
    }
    next.sort((a, b) => a.priority - b.priority);
    this.hostList = next;
    if (changed) this.stats.membership_change++;
    this.stats.update_success++;
    this.rebuild();
  }

  /** Recomputes levels, health, panic and loads (membership, health or ejections changed). */
  private rebuild(): void {
    const cluster = this.currentCluster;
    const factor = this.assignment?.overprovisioningFactor ?? DEFAULT_OVERPROVISIONING_FACTOR;
    const byPriority = new Map<number, Host[]>();
    for (const h of this.hostList) {
      const list = byPriority.get(h.priority);
      if (list) list.push(h);
      else byPriority.set(h.priority, [h]);
    }
    const levels = [...byPriority.keys()].sort((a, b) => a - b)
      .map((p) => new PriorityLevel(p, byPriority.get(p) ?? [], cluster, this.random, factor));
    // Priority loads: each level takes up to its health, the rest spills down; normalized when the total is under 100.
    const totalHealth = Math.min(100, levels.reduce((n, l) => n + l.health, 0));
    if (totalHealth === 0) {
      if (levels.length > 0) levels[0].load = 100;
    } else {
      const sum = levels.reduce((n, l) => n + l.health, 0);
      let remaining = 100;
      for (const l of levels) {
        const share = totalHealth >= 100 ? Math.min(remaining, l.health) : (l.health * 100) / sum;
        l.load = share;
        remaining -= share;
      }
    }
    const threshold = cluster.healthyPanicThreshold;
    for (const l of levels) {
      l.panic = threshold > 0 && totalHealth < 100 && l.belowPanicThreshold(threshold);
    }
    this.levels = levels;
    this.loaded = levels.filter((l) => l.load > 0);
    let cumulative = 0;
    this.cumulativeLoad = Float64Array.from(this.loaded, (l) => (cumulative += l.load));
    const s = this.stats;
    s.membership_total = this.hostList.length;
    s.membership_healthy = levels.reduce((n, l) => n + l.healthy.length, 0);
    s.membership_degraded = levels.reduce((n, l) => n + l.degraded.length, 0);
    s.membership_excluded = 0;
  }
}
