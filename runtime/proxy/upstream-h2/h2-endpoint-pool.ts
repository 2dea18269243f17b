/**
 * HTTP/2 sessions to one endpoint (clusters whose protocol options say
 * `http2_protocol_options`, or `use_downstream_protocol` for HTTP/2
 * requests). A request gets a stream on a connected session with room under
 * the smaller of the cluster's and the peer's `max_concurrent_streams`; else a
 * new session opens if `max_connections` allows; else it waits (a pending
 * request, bounded by `max_pending_requests`: overflow is UO). As in Envoy's
 * HTTP/2 pool, the circuit breaker that limits concurrency is `max_requests`
 * (taken by the router filter per request), not connections. A GOAWAY drains
 * the session (no new streams; open ones finish); a session that cannot
 * connect in `connect_timeout` fails its waiting requests.
 */
import * as http2 from 'http2';
import type * as net from 'net';
import { EndpointPool, EndpointPoolProps } from '../upstream/endpoint-pool';
import type { Endpoint } from '../upstream/endpoint';
import { PoolCounter as C } from '../upstream/pool-stats';
import type { UpstreamConnection } from '../upstream/upstream-connection';
import type { UpstreamResetReason, UpstreamUser } from '../upstream/upstream-user';
import { H2StreamConnection } from './h2-stream-connection';

export interface H2EndpointPoolProps extends EndpointPoolProps {
  /** Streams per session (Envoy `max_concurrent_streams`). @default 2147483647 */
  readonly maxConcurrentStreams?: number;
}

/** One session of the pool. */
export interface H2SessionEntry {
  readonly session: http2.ClientHttp2Session;
  connected: boolean;
  /** GOAWAY received (or closing): no new streams. */
  draining: boolean;
  /** Streams reserved or open. */
  active: number;
  /** Streams ever started on it. */
  streamsOpened: number;
  connectTimer: NodeJS.Timeout | null;
  idleTimer: NodeJS.Timeout | null;
  failure: UpstreamResetReason | null;
}

const DEFAULT_MAX_STREAMS = 2147483647;

export class H2EndpointPool extends EndpointPool {
  readonly maxConcurrentStreams: number;
  private readonly sessions: H2SessionEntry[] = [];
  private readonly queue: UpstreamUser[] = [];
  private shut = false;

  constructor(endpoint: Endpoint, props: H2EndpointPoolProps = {}) {
    super(endpoint, props);
    this.maxConcurrentStreams = props.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS;
  }

  override get pendingRequests(): number {
    return this.queue.length;
  }

  override get idleConnections(): number {
    let n = 0;
    for (const e of this.sessions) if (e.connected && e.active === 0) n++;
    return n;
  }

  /** Open sessions (connected or connecting). */
  get sessionCount(): number {
    return this.sessions.length;
  }

  override acquire(user: UpstreamUser): void {
    const s = this.stats;
    s[C.rq_total]++;
    if (this.shut) {
      user.onUpstreamFailure('connect-failure');
      return;
    }
    const entry = this.withRoom();
    if (entry !== null) {
      this.give(entry, user);
      return;
    }
    if (!this.limits.tryQueueRequest()) {
      s[C.rq_pending_overflow]++;
      user.onUpstreamFailure('overflow');
      return;
    }
    s[C.rq_pending_total]++;
    s[C.rq_pending_active]++;
    this.queue.push(user);
    if (!this.sessions.some((e) => !e.connected && !e.draining)) this.openSession();
  }

  override cancel(user: UpstreamUser): void {
    const i = this.queue.indexOf(user);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.leftQueue();
  }

  override release(conn: UpstreamConnection, _reusable: boolean): void {
    (conn as unknown as H2StreamConnection).detach(false);
  }

  override destroyConnection(conn: UpstreamConnection): void {
    (conn as unknown as H2StreamConnection).detach(true);
  }

  override close(): void {
    this.shut = true;
    for (const u of this.queue.splice(0)) {
      this.leftQueue();
      u.onUpstreamFailure('connect-failure');
    }
    for (const e of [...this.sessions]) {
      e.draining = true;
      if (e.active === 0 || !e.connected) this.endSession(e);
      else e.session.close();
    }
  }

  override expireIdle(_now: number): boolean {
    return false;
  }

  /** Called by a stream connection once its stream is over. */
  streamClosed(conn: H2StreamConnection): void {
    if (conn.released) return;
    conn.released = true;
    const e = conn.entry;
    e.active--;
    this.stats[C.rq_active]--;
    if (e.active === 0) {
      // Nothing left on a draining session: end it now (a graceful close can wait on the peer's FIN forever).
      if (e.draining) this.endSession(e);
      else this.armIdle(e);
    }
    this.serveQueue();
  }

  /**
   * Destroys a session and forgets it at once (node:http2 does not always emit
   * 'close' for a session it already began closing after a GOAWAY).
   */
  private endSession(e: H2SessionEntry): void {
    e.session.destroy();
    this.onSessionClose(e);
  }

  private withRoom(): H2SessionEntry | null {
    for (const e of this.sessions) {
      if (e.session.destroyed || e.session.closed) continue;
      if (e.connected && !e.draining && e.active < this.streamLimit(e)) return e;
    }
    return null;
  }

  private streamLimit(e: H2SessionEntry): number {
    const peer = e.session.remoteSettings?.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS;
    return Math.min(peer, this.maxConcurrentStreams);
  }

  private give(e: H2SessionEntry, user: UpstreamUser): void {
    e.active++;
    e.streamsOpened++;
    if (e.idleTimer !== null) {
      clearTimeout(e.idleTimer);
      e.idleTimer = null;
    }
    if (e.streamsOpened > 1) this.stats[C.rq_reused]++;
    this.stats[C.rq_active]++;
    const conn = new H2StreamConnection(this, e, user);
    user.onUpstreamReady(conn as unknown as UpstreamConnection);
  }

  private serveQueue(): void {
    while (this.queue.length > 0) {
      const e = this.withRoom();
      if (e === null) break;
      const user = this.queue.shift() as UpstreamUser;
      this.leftQueue();
      this.give(e, user);
    }
    if (this.queue.length > 0 && !this.shut && !this.sessions.some((e) => !e.connected && !e.draining)) this.openSession();
  }

  private openSession(): void {
    if (this.shut || !this.limits.tryOpenConnection()) return;
    this.stats[C.cx_total]++;
    const tls = this.tls;
    const { host, port } = this.endpoint;
    const authority = `${tls !== undefined ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const session = http2.connect(authority, {
      settings: { enablePush: false },
      ...(tls !== undefined ? { createConnection: (): net.Socket => tls.connect(host, port) } : {}),
    });
    const entry: H2SessionEntry = {
      session, connected: false, draining: false, active: 0, streamsOpened: 0, connectTimer: null, idleTimer: null, failure: null,
    };
    this.sessions.push(entry);
    if (this.connectTimeoutMs > 0) {
      entry.connectTimer = setTimeout(() => {
        entry.connectTimer = null;
        if (entry.connected) return;
        entry.failure = 'connect-timeout';
        session.destroy();
      }, this.connectTimeoutMs);
    }
    session.on('connect', () => {
      if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
      entry.connectTimer = null;
      entry.connected = true;
      this.stats[C.cx_active]++;
      this.serveQueue();
      if (entry.active === 0) this.armIdle(entry);
    });
    session.on('remoteSettings', () => this.serveQueue());
    session.on('goaway', () => {
      entry.draining = true;
      if (entry.active === 0) this.endSession(entry);
      this.serveQueue();
    });
    session.on('error', noop);
    session.on('close', () => this.onSessionClose(entry));
  }

  private onSessionClose(entry: H2SessionEntry): void {
    const i = this.sessions.indexOf(entry);
    if (i < 0) return;
    this.sessions.splice(i, 1);
    if (entry.connectTimer !== null) clearTimeout(entry.connectTimer);
    if (entry.idleTimer !== null) clearTimeout(entry.idleTimer);
    this.limits.connectionClosed();
    if (!entry.connected) {
      const reason = entry.failure ?? 'connect-failure';
      this.stats[C.cx_connect_fail]++;
      if (reason === 'connect-timeout') this.stats[C.cx_connect_timeout]++;
      // Every request waiting for this session fails (the router may retry elsewhere).
      for (const u of this.queue.splice(0)) {
        this.leftQueue();
        u.onUpstreamFailure(reason);
      }
      return;
    }
    this.stats[C.cx_active]--;
    if (entry.draining) this.stats[C.cx_destroy_local]++;
    else this.stats[C.cx_destroy_remote]++;
    this.serveQueue();
  }

  private armIdle(e: H2SessionEntry): void {
    if (e.idleTimer !== null || this.idleTimeoutMs <= 0) return;
    e.idleTimer = setTimeout(() => {
      e.idleTimer = null;
      if (e.active > 0) return;
      this.stats[C.cx_idle_timeout]++;
      e.draining = true;
      this.endSession(e);
    }, this.idleTimeoutMs);
    e.idleTimer.unref();
  }

  private leftQueue(): void {
    this.stats[C.rq_pending_active]--;
    this.limits.requestDequeued();
  }
}

function noop(): void {}
