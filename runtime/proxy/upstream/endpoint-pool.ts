import { performance } from 'perf_hooks';
import { Endpoint, endpointAddress } from './endpoint';
import { PoolLimits, ThresholdLimits } from './pool-limits';
import { newPoolStats, PoolCounter as C } from './pool-stats';
import { UpstreamConnection } from './upstream-connection';
import type { UpstreamResetReason, UpstreamUser } from './upstream-user';

export interface EndpointPoolProps {
  /** Connect timeout in ms (Envoy `connect_timeout`); 0 disables. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Close connections idle longer than this, in ms (Envoy `idle_timeout`). @default 60000 */
  readonly idleTimeoutMs?: number;
  /** Circuit-breaker hook; share one instance across a cluster's pools. @default new ThresholdLimits() */
  readonly limits?: PoolLimits;
  /** Opens TLS connections (the cluster has an UpstreamTlsContext). @default none: plaintext TCP */
  readonly tls?: { connect(host: string, port: number): import('net').Socket };
}

/**
 * HTTP/1.1 keep-alive connections to one endpoint. A request gets an idle
 * connection (most recently used first), else a new one if the limits allow,
 * else waits in a FIFO queue if the limits allow, else fails with overflow (UO).
 */
export class EndpointPool {
  readonly endpoint: Endpoint;
  /** `host:port`, for logs. */
  readonly address: string;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly limits: PoolLimits;
  /** Opens TLS connections; undefined for plaintext. */
  readonly tls: EndpointPoolProps['tls'];
  /** Counters indexed by `PoolCounter`. */
  readonly stats = newPoolStats();
  private readonly idle: UpstreamConnection[] = [];
  private readonly waiting: UpstreamUser[] = [];
  private waitingHead = 0;
  private connecting = 0;
  private closedPool = false;

  constructor(endpoint: Endpoint, props: EndpointPoolProps = {}) {
    this.endpoint = { host: endpoint.host, port: endpoint.port };
    this.address = endpointAddress(endpoint);
    this.connectTimeoutMs = props.connectTimeoutMs ?? 10_000;
    this.idleTimeoutMs = props.idleTimeoutMs ?? 60_000;
    this.limits = props.limits ?? new ThresholdLimits();
    this.tls = props.tls;
  }

  /** Requests waiting for a connection. */
  get pendingRequests(): number {
    return this.waiting.length - this.waitingHead;
  }

  get idleConnections(): number {
    return this.idle.length;
  }

  /**
   * Asks for a connection for `user`: `onUpstreamReady` is called (possibly
   * synchronously) or `onUpstreamFailure`.
   */
  acquire(user: UpstreamUser): void {
    const s = this.stats;
    s[C.rq_total]++;
    const conn = this.takeIdle();
    if (conn !== null) {
      s[C.rq_reused]++;
      s[C.rq_active]++;
      conn.attach(user);
      user.onUpstreamReady(conn);
      return;
    }
    if (this.closedPool) {
      user.onUpstreamFailure('connect-failure');
      return;
    }
    if (!this.limits.tryQueueRequest()) {
      s[C.rq_pending_overflow]++;
      user.onUpstreamFailure('overflow');
      return;
    }
    s[C.rq_pending_total]++;
    s[C.rq_pending_active]++;
    this.waiting.push(user);
    if (this.connecting < this.pendingRequests) this.openConnection();
  }

  /** Withdraws a waiting request (its client left). */
  cancel(user: UpstreamUser): void {
    const i = this.waiting.indexOf(user, this.waitingHead);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    this.dequeued();
  }

  /** Returns a connection after a complete exchange; it is reused or closed. */
  release(conn: UpstreamConnection, reusable: boolean): void {
    conn.detach();
    this.stats[C.rq_active]--;
    if (!reusable || conn.closed || this.closedPool) {
      this.destroyConnection(conn);
      return;
    }
    const next = this.nextWaiter();
    if (next !== null) {
      this.stats[C.rq_active]++;
      conn.attach(next);
      next.onUpstreamReady(conn);
      return;
    }
    conn.idleSince = performance.now();
    this.idle.push(conn);
    idleSweeper.watch(this);
  }

  /** Closes a connection whose exchange failed or was abandoned. */
  destroyConnection(conn: UpstreamConnection): void {
    if (!conn.closed) {
      conn.closed = true;
      this.stats[C.cx_destroy_local]++;
      this.forget(conn);
    }
    conn.destroy();
  }

  /** Closes idle connections and refuses new ones; busy ones finish their exchange. */
  close(): void {
    this.closedPool = true;
    for (const c of this.idle.splice(0)) this.destroyConnection(c);
    let u = this.nextWaiter();
    while (u !== null) {
      u.onUpstreamFailure('connect-failure');
      u = this.nextWaiter();
    }
  }

  /** Closes connections idle for longer than `idleTimeoutMs`; returns whether any stay idle. */
  expireIdle(now: number): boolean {
    const limit = now - this.idleTimeoutMs;
    while (this.idle.length > 0 && this.idle[0].idleSince <= limit) {
      const c = this.idle.shift() as UpstreamConnection;
      this.stats[C.cx_idle_timeout]++;
      this.destroyConnection(c);
    }
    return this.idle.length > 0;
  }

  // Called by UpstreamConnection.

  onConnected(conn: UpstreamConnection): void {
    this.connecting--;
    this.stats[C.cx_active]++;
    const next = this.nextWaiter();
    if (next === null) {
      conn.idleSince = performance.now();
      this.idle.push(conn);
      idleSweeper.watch(this);
      return;
    }
    this.stats[C.rq_active]++;
    conn.attach(next);
    next.onUpstreamReady(conn);
  }

  onConnectFailed(_conn: UpstreamConnection, reason: UpstreamResetReason): void {
    this.connecting--;
    this.limits.connectionClosed();
    this.stats[C.cx_connect_fail]++;
    if (reason === 'connect-timeout') this.stats[C.cx_connect_timeout]++;
    const user = this.nextWaiter();
    if (user !== null) user.onUpstreamFailure(reason);
    // Give the remaining waiters their own attempt.
    if (this.connecting < this.pendingRequests) this.openConnection();
  }

  onClosed(conn: UpstreamConnection, busy: boolean): void {
    this.stats[C.cx_destroy_remote]++;
    if (busy) this.stats[C.rq_active]--;
    this.forget(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private forget(_conn: UpstreamConnection): void {
    this.stats[C.cx_active]--;
    this.limits.connectionClosed();
    if (this.connecting < this.pendingRequests) this.openConnection();
  }

  private takeIdle(): UpstreamConnection | null {
    const idle = this.idle;
    while (idle.length > 0) {
      const c = idle.pop() as UpstreamConnection;
      if (!c.closed) return c;
    }
    return null;
  }

  private openConnection(): void {
    if (this.closedPool || !this.limits.tryOpenConnection()) return;
    this.connecting++;
    this.stats[C.cx_total]++;
    new UpstreamConnection(this, this.connectTimeoutMs);
  }

  private nextWaiter(): UpstreamUser | null {
    if (this.waitingHead >= this.waiting.length) return null;
    const u = this.waiting[this.waitingHead];
    this.waitingHead++;
    if (this.waitingHead > 64 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    } else if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
    }
    this.dequeued();
    return u;
  }

  private dequeued(): void {
    this.stats[C.rq_pending_active]--;
    this.limits.requestDequeued();
  }
}

/** One unref'd timer for all pools that hold idle connections. */
class IdleSweeper {
  private readonly pools = new Set<EndpointPool>();
  private timer: NodeJS.Timeout | null = null;

  watch(pool: EndpointPool): void {
    this.pools.add(pool);
    if (this.timer === null) {
      this.timer = setInterval(this.sweep.bind(this), 1000);
      this.timer.unref();
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const p of this.pools) if (!p.expireIdle(now)) this.pools.delete(p);
    if (this.pools.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

const idleSweeper = new IdleSweeper();
