/**
 * The data plane: keeps the proxy's live objects in step with the applied xDS
 * configuration ({@link ProxyConfigStore}). Clusters (CDS/EDS) become
 * {@link UpstreamCluster}s updated in place; listeners (LDS) are bound where
 * they say, each HTTP connection manager routing with the table of its route
 * configuration (RDS), swapped whole on change. Removed listeners and clusters
 * drain. Capture listeners (`use_original_dst`, 15001/15006) are skipped: this
 * proxy does not intercept traffic, it is reached on bound addresses.
 */
import type { ProxyConfigSnapshot, ProxyConfigStore } from '../config';
import { renderClusters } from '../cluster';
import type { AccessLogEntry } from '../http';
import type { ProxyNode } from '../node';
import { RouteTable } from '../routing';
import type { FilterChain, Listener, RouteConfiguration } from '../../xds/resources';
import {
  AccessLogWriter, addClusterStats, addListenerStats, IstioMetrics, OutboundSecurity, outboundSecurity, Reporter, StatsMap, add,
} from '../metrics';
import { BoundListener } from './bound-listener';
import { sniListenerPlan } from './sni-listener';
import { UpstreamCluster } from './upstream-cluster';
import type { TlsIdentitySource } from '../identity';
import type { DownstreamTlsMode } from '../tls';

export type DataPlaneLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type DataPlaneLogger = (level: DataPlaneLogLevel, message: string) => void;

export interface DataPlaneProps {
  /** The applied configuration (the ADS client's store). */
  readonly store: ProxyConfigStore;
  /** This proxy's identity (metrics labels). */
  readonly node: ProxyNode;
  /** @default drops everything */
  readonly logger?: DataPlaneLogger;
  /** Receives access-log text. @default none (no access log) */
  readonly accessLog?: (text: string) => void;
  /** Write access-log lines in batches. @default true */
  readonly batchAccessLog?: boolean;
  /** How long a removed listener lets requests in flight finish, ms. @default 5000 */
  readonly drainTimeoutMs?: number;
  /** The workload certificate (SDS `default`/`ROOTCA`) for TLS listeners and clusters. @default none: plaintext only */
  readonly identity?: TlsIdentitySource;
}

interface HttpBinding {
  routeConfig: RouteConfiguration | undefined;
}

export class DataPlane {
  readonly clusters = new Map<string, UpstreamCluster>();
  readonly listeners = new Map<string, BoundListener>();
  readonly metrics: IstioMetrics;
  readonly startedAt = Date.now();
  private readonly store: ProxyConfigStore;
  private readonly log: DataPlaneLogger;
  private readonly accessLog: AccessLogWriter | null;
  private readonly drainTimeoutMs: number;
  private readonly identity: TlsIdentitySource | undefined;
  private readonly routeBindings = new Map<string, HttpBinding>();
  private readonly skipped = new Set<string>();
  private readonly draining = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  private appliedRevision = -1;
  private stopped = false;
  /** Listeners that failed to bind, by name (the last error). */
  readonly bindErrors = new Map<string, string>();
  /** Stats of listeners and clusters that were removed, kept so counters never go back. */
  private readonly retiredStats: StatsMap = {};
  private readonly outboundByCluster = new Map<string, OutboundSecurity>();
  private outboundSnapshot: ProxyConfigSnapshot | null = null;

  constructor(props: DataPlaneProps) {
    this.store = props.store;
    this.log = props.logger ?? (() => undefined);
    this.drainTimeoutMs = props.drainTimeoutMs ?? 5000;
    this.identity = props.identity;
    const node = props.node;
    this.metrics = new IstioMetrics({
      workload: node.workloadName,
      namespace: node.namespace,
      app: node.labels.app ?? node.labels['app.kubernetes.io/name'] ?? node.workloadName,
      version: node.labels.version ?? node.labels['app.kubernetes.io/version'] ?? 'unknown',
    }, {
      ...(props.identity !== undefined ? { principal: props.identity.spiffeId } : {}),
      outbound: (cluster) => this.outboundSecurityOf(cluster),
    });
    this.accessLog = props.accessLog !== undefined
      ? new AccessLogWriter({ sink: props.accessLog, batch: props.batchAccessLog ?? true })
      : null;
  }

  /**
   * How an outbound cluster's connections are secured, for the metrics: read
   * once per cluster and configuration snapshot (the same object until the
   * snapshot changes), not per request.
   */
  private outboundSecurityOf(cluster: string): OutboundSecurity {
    const current = this.store.current;
    if (current !== this.outboundSnapshot) {
      this.outboundSnapshot = current;
      this.outboundByCluster.clear();
    }
    let o = this.outboundByCluster.get(cluster);
    if (o === undefined) {
      o = outboundSecurity(current.clusters.get(cluster)?.value.transportSocket);
      this.outboundByCluster.set(cluster, o);
    }
    return o;
  }

  /** Follows the store from now on (applying what it holds already). */
  start(): Promise<void> {
    this.unsubscribe = this.store.onUpdate((_prev, next) => void this.apply(next));
    return this.apply(this.store.current);
  }

  /** Resolves once every change received so far is applied. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The revision of the snapshot last applied (-1 before any). */
  get revision(): number {
    return this.appliedRevision;
  }

  /** Applies a snapshot (serialized: one at a time, in order). */
  apply(snapshot: ProxyConfigSnapshot): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile(snapshot)).catch((e: unknown) => {
      this.log('error', `applying configuration revision ${snapshot.revision} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    });
    return this.queue;
  }

  private async reconcile(snapshot: ProxyConfigSnapshot): Promise<void> {
    if (this.stopped || snapshot.revision <= this.appliedRevision) return;
    // 1. Clusters first, so routes never point at a cluster that is not there yet.
    for (const [name, applied] of snapshot.clusters) {
      const cluster = applied.value;
      const assignment = snapshot.endpointsFor(cluster);
      const existing = this.clusters.get(name);
      if (existing === undefined) this.clusters.set(name, new UpstreamCluster(cluster, assignment, this.identity));
      else existing.update(cluster, assignment);
    }
    // 2. Listeners and their route tables.
    const wanted = new Map<string, Listener>();
    for (const [name, applied] of snapshot.listeners) {
      const l = applied.value;
      const why = unservable(l) ?? (downstreamTlsMode(l) === 'STRICT' && this.identity === undefined
        ? 'mTLS STRICT needs a workload certificate (this proxy has no bootstrap token)' : undefined);
      if (why !== undefined) {
        if (!this.skipped.has(name)) {
          this.skipped.add(name);
          this.log('info', `listener ${name}: not bound (${why})`);
        }
        continue;
      }
      wanted.set(name, l);
    }
    for (const [name, bound] of [...this.listeners]) {
      const l = wanted.get(name);
      if (l === undefined || !this.fits(bound, l)) {
        this.listeners.delete(name);
        this.routeBindings.delete(name);
        this.retire(bound);
        if (l !== undefined) await bound.stopAccepting(); // the replacement binds the same address
        this.log('info', `listener ${name}: draining (${l === undefined ? 'removed' : 'changed'})`);
      }
    }
    for (const [name, l] of wanted) {
      let bound = this.listeners.get(name);
      const chain = servingChain(l) as FilterChain;
      if (bound === undefined) {
        bound = this.create(l, chain);
        try {
          await bound.listen();
          this.bindErrors.delete(name);
          this.listeners.set(name, bound);
          this.log('info', `listener ${name}: ${bound.kind} on ${bound.address}:${bound.boundAddress?.port ?? bound.port}`);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (this.bindErrors.get(name) !== message) this.log('error', `listener ${name}: cannot bind ${bound.address}:${bound.port}: ${message}`);
          this.bindErrors.set(name, message);
          await bound.forceClose();
          continue;
        }
      }
      const tcpFilter = chain.filters.find((f) => f.kind === 'tcpProxy');
      if (bound.tcp !== null && tcpFilter?.kind === 'tcpProxy') bound.tcp.config = tcpFilter.config;
      if (bound.router !== null) {
        const binding = this.routeBindings.get(name) ?? { routeConfig: undefined };
        this.routeBindings.set(name, binding);
        const hcm = chain.filters.find((f) => f.kind === 'httpConnectionManager');
        if (hcm?.kind === 'httpConnectionManager') bound.setHttpFilters(hcm.config.httpFilters);
        const rc = snapshot.routeConfigFor(l, chain);
        if (rc !== binding.routeConfig || bound.router.table === null) {
          binding.routeConfig = rc;
          // Swapped whole: requests already routed keep the decision they got.
          bound.router.table = rc !== undefined ? RouteTable.compile(rc) : null;
        }
      }
    }
    // 3. Clusters that left drain once nothing routes to them.
    for (const [name, cluster] of [...this.clusters]) {
      if (snapshot.clusters.has(name)) continue;
      this.clusters.delete(name);
      addClusterStatsTo(this.retiredStats, cluster);
      cluster.drain();
      this.log('info', `cluster ${name}: removed, draining`);
    }
    this.appliedRevision = snapshot.revision;
  }

  private fits(bound: BoundListener, l: Listener): boolean {
    const a = l.address;
    if (a === undefined || a.kind !== 'socket') return false;
    if (a.address !== bound.address || a.port !== bound.port) return false;
    const chain = servingChain(l);
    const kind = chain?.filters.some((f) => f.kind === 'httpConnectionManager') ? 'http' : 'tcp';
    if (kind !== bound.kind) return false;
    if (this.tlsModeFor(l) !== bound.tlsMode) return false;
    if ((sniListenerPlan(l)?.fingerprint ?? '') !== bound.sniFingerprint) return false;
    if (kind === 'http') {
      const hcm = chain?.filters.find((f) => f.kind === 'httpConnectionManager');
      if (hcm?.kind === 'httpConnectionManager' && (hcm.config.statPrefix || l.name) !== bound.statPrefix) return false;
    }
    return true;
  }

  private create(l: Listener, chain: FilterChain): BoundListener {
    const a = l.address as { address: string; port: number };
    const reporter: Reporter = l.trafficDirection === 'INBOUND' ? 'destination' : 'source';
    const hcm = chain.filters.find((f) => f.kind === 'httpConnectionManager');
    const tcp = chain.filters.find((f) => f.kind === 'tcpProxy');
    const metrics = this.metrics;
    const accessLog = this.accessLog;
    const hook = (e: AccessLogEntry): void => {
      metrics.record(reporter, e);
      if (accessLog !== null) accessLog.write(e);
    };
    return new BoundListener({
      name: l.name,
      address: a.address,
      port: a.port,
      direction: l.trafficDirection,
      clusters: this.clusters,
      ...(hcm?.kind === 'httpConnectionManager' ? { hcm: hcm.config } : {}),
      ...(tcp?.kind === 'tcpProxy' && hcm === undefined ? { tcp: tcp.config } : {}),
      accessLog: hook,
      ...(this.tlsModeFor(l) !== undefined && this.identity !== undefined ? { tls: { mode: this.tlsModeFor(l) as DownstreamTlsMode, source: this.identity } } : {}),
      ...(sniListenerPlan(l) !== undefined ? { sni: sniListenerPlan(l) } : {}),
    });
  }

  /** How a listener terminates TLS here: its chains' mode, PERMISSIVE served as plaintext without a certificate. */
  private tlsModeFor(l: Listener): DownstreamTlsMode | undefined {
    return this.identity === undefined ? undefined : downstreamTlsMode(l);
  }

  private retire(bound: BoundListener): void {
    if (bound.http !== null) addListenerStats(this.retiredStats, bound.statPrefix, bound.http.stats);
    const p = bound.drain(this.drainTimeoutMs).finally(() => this.draining.delete(p));
    this.draining.add(p);
  }

  /** Whether the listeners of the applied configuration are bound (some may have failed: see bindErrors). */
  get live(): boolean {
    return this.appliedRevision >= 0 && this.listeners.size > 0;
  }

  /** A bound listener's actual address (`host:port`), by listener name. */
  listenerAddress(name: string): string | undefined {
    const b = this.listeners.get(name)?.boundAddress;
    return b ? `${b.address}:${b.port}` : undefined;
  }

  /** Envoy-style stats of this process. */
  stats(): StatsMap {
    const out: StatsMap = { ...this.retiredStats };
    for (const l of this.listeners.values()) {
      if (l.http !== null) addListenerStats(out, l.statPrefix, l.http.stats);
      l.router?.filters?.stats.addTo(out, l.statPrefix);
    }
    for (const c of this.clusters.values()) addClusterStats(out, c.state);
    add(out, 'listener_manager.total_listeners_active', this.listeners.size);
    add(out, 'cluster_manager.active_clusters', this.clusters.size);
    add(out, 'server.live', this.live ? 1 : 0);
    add(out, 'server.uptime', Math.floor((Date.now() - this.startedAt) / 1000));
    return out;
  }

  /** The `/clusters` text. */
  renderClusters(): string {
    return renderClusters([...this.clusters.values()].map((c) => c.state));
  }

  /** Graceful stop: listeners stop accepting, requests in flight finish (up to the drain timeout), then everything closes. */
  async drain(deadlineMs = this.drainTimeoutMs): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.queue;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all([...listeners.map((l) => l.drain(deadlineMs)), ...this.draining]);
    for (const c of this.clusters.values()) c.drain();
    this.clusters.clear();
    this.accessLog?.close();
  }

  /** Stops now: every connection is closed. */
  async close(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.queue;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((l) => l.forceClose()));
    await Promise.all(this.draining);
    for (const c of this.clusters.values()) c.drain();
    this.clusters.clear();
    this.accessLog?.close();
  }
}

function addClusterStatsTo(out: StatsMap, cluster: UpstreamCluster): void {
  addClusterStats(out, cluster.state);
}

/** The chain a bound listener serves with: its first chain with an HTTP connection manager or tcp_proxy. */
function servingChain(l: Listener): FilterChain | undefined {
  const chains = l.defaultFilterChain !== undefined ? [...l.filterChains, l.defaultFilterChain] : l.filterChains;
  return chains.find((c) => c.filters.some((f) => f.kind === 'httpConnectionManager' || f.kind === 'tcpProxy'));
}

/**
 * The TLS mode of a listener's chains: STRICT when only DownstreamTlsContext
 * chains serve, PERMISSIVE when a plaintext chain serves too, undefined without TLS.
 */
export function downstreamTlsMode(l: Listener): DownstreamTlsMode | undefined {
  const chains = (l.defaultFilterChain !== undefined ? [...l.filterChains, l.defaultFilterChain] : l.filterChains)
    .filter((c) => c.filters.some((f) => f.kind === 'httpConnectionManager' || f.kind === 'tcpProxy'));
  // Chains with their own certificates (gateway credentialName) are SNI listeners, not mesh mTLS.
  if (!chains.some((c) => c.transportSocket?.kind === 'downstreamTls' && c.transportSocket.inlineCertificates === undefined)) return undefined;
  return chains.some((c) => c.transportSocket === undefined || c.transportSocket.kind === 'rawBuffer') ? 'PERMISSIVE' : 'STRICT';
}

/** Why a listener is not bound by this proxy, or undefined when it is. */
function unservable(l: Listener): string | undefined {
  if (l.useOriginalDst || l.listenerFilters.some((f) => f.kind === 'originalDst')) return 'use_original_dst: traffic capture is not used';
  if (!l.bindToPort) return 'bind_to_port false: reached only through a capture listener';
  if (l.address === undefined || l.address.kind !== 'socket') return 'not a socket address';
  if (l.apiListener !== undefined) return 'API listener';
  if (servingChain(l) === undefined) return 'no HTTP connection manager or tcp_proxy chain';
  return undefined;
}
