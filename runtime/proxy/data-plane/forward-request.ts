/**
 * The router filter of one request, between the HTTP engine's exchange and the
 * cluster's endpoint pools. Toward the exchange it stands in for an upstream
 * connection (the engine writes the request head and body into it and reads
 * the response through it); toward the pools it is the upstream user of each
 * attempt. It applies, in Envoy's order: fault delay, host choice (consistent
 * hash, previous-host avoidance), circuit breakers (max_requests, max_retries,
 * and the pool limits for connections and pending requests), retries with the
 * plan's backoff and per-try timeout, response header operations, outlier
 * detection events, and mirrors (fire and forget).
 */
import type * as net from 'net';
import { Host } from '../cluster';
import type { FilterVerdict } from '../filters';
import type { Exchange } from '../http/exchange';
import { ResponseFlag, reasonPhrase } from '../http';
import { AttemptOutcome, HeaderOp, retryable } from '../routing';
import type { EndpointPool, UpstreamConnection, UpstreamResetReason, UpstreamUser } from '../upstream';
import type { ForwardPlan } from './forward-plan';
import { MirrorRequest } from './mirror-request';
import { applyRequestHeaderOps, applyResponseHeaderOps } from './request-head-text';

/** Request bytes kept for retries; a longer body is not retried (Envoy's buffer limit). */
const RETRY_BUFFER_LIMIT = 1024 * 1024;
/** Shared empty list (never pushed to): most requests have no body chunks waiting. */
const NO_CHUNKS: Buffer[] = [];

/** Shared empty lists (never pushed to; a request that needs one gets its own). */
const NO_HOSTS: Host[] = [];
const NO_MIRROR_REQUESTS: MirrorRequest[] = [];

/** The socket calls the engine makes on its upstream (the forward request answers them itself). */
interface SocketFacade {
  cork(): void;
  uncork(): void;
  pause(): void;
  resume(): void;
}

export class ForwardRequest implements UpstreamUser {
  /** What the engine reads of an upstream connection. */
  readonly socket: SocketFacade = this;
  readonly requests = 1;
  responseBytes = 0;
  corkTarget: net.Socket | null = null;

  private head: string | null = null;
  /** The whole body so far, while it may still be retried; null when not kept. */
  private chunks: Buffer[] | null;
  private bufferedBytes = 0;
  private bodyBytes = 0;
  /** Body chunks not yet written to the current attempt's connection. */
  private unsent: Buffer[] = NO_CHUNKS;
  private retainBody: boolean;
  private engineBlocked = false;

  private host: Host | null = null;
  private pool: EndpointPool | null = null;
  private conn: UpstreamConnection | null = null;
  private waiting = false;
  private attemptStarted = false;
  private requestSlot = false;
  private retrySlot = false;
  private retriesDone = 0;
  private tried: Host[] = NO_HOSTS;
  private discarding = false;
  private staleRetried = false;
  private forwarded = false;
  private paused = false;
  private done = false;
  private lastStatus = 0;
  private timer: NodeJS.Timeout | null = null;
  private mirrors: MirrorRequest[] = NO_MIRROR_REQUESTS;
  /** Request header edits of the security filters, applied to the head before it leaves. */
  private filterOps: readonly HeaderOp[] | null = null;

  constructor(private readonly ex: Exchange, private readonly plan: ForwardPlan) {
    const retry = plan.decision?.retry;
    this.retainBody = retry !== undefined && retry.numRetries > 0;
    this.chunks = this.retainBody ? [] : null;
  }

  /** Starts: the engine gets this as its connection at once and writes the request into it. */
  start(): void {
    const ex = this.ex;
    ex.upstreamHost = null;
    ex.onUpstreamReady(this as unknown as UpstreamConnection);
    const gate = this.plan.gate;
    if (gate !== undefined) {
      gate.then((v) => this.afterFilters(v), (e: unknown) => this.afterFilters({
        kind: 'deny', response: { status: 500, body: 'filter error', headers: [], flags: 0, details: `filter_error{${String(e)}}` },
      }));
      return;
    }
    this.afterFilters(null);
  }

  /** After the security filters (jwt_authn): their answer, or the fault delay and the rest. */
  private afterFilters(verdict: FilterVerdict | null): void {
    if (this.done) return;
    const ex = this.ex;
    if (verdict !== null && verdict.kind === 'deny') {
      const r = verdict.response;
      ex.responseFlags |= r.flags;
      ex.responseCodeDetails = r.details;
      this.deliverLocal(r.status, r.body, r.headers);
      return;
    }
    if (verdict !== null && verdict.headerOps.length > 0) {
      if (this.head !== null) this.head = applyRequestHeaderOps(this.head, verdict.headerOps);
      else this.filterOps = verdict.headerOps;
    }
    if (this.plan.delayMs > 0) {
      ex.responseFlags |= ResponseFlag.DI;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.afterDelay();
      }, this.plan.delayMs);
      return;
    }
    this.afterDelay();
  }

  private afterDelay(): void {
    if (this.done) return;
    const local = this.plan.local;
    if (local !== null) {
      this.ex.responseFlags |= local.flags;
      this.ex.responseCodeDetails = local.details;
      this.deliverLocal(local.status, local.body, local.headers);
      return;
    }
    const cluster = this.plan.cluster;
    if (cluster === null) return;
    if (!cluster.state.circuitBreakers.default.tryAcquireRequest()) {
      this.failWith('upstream-overflow');
      return;
    }
    this.requestSlot = true;
    for (const m of this.plan.mirrors) {
      const mirror = MirrorRequest.start(m, this.plan.hash);
      if (mirror !== null) {
        if (this.mirrors === NO_MIRROR_REQUESTS) this.mirrors = [];
        this.mirrors.push(mirror);
        if (this.head !== null) mirror.writeHead(this.head);
        for (const c of this.chunks ?? []) mirror.write(c);
      }
    }
    this.attempt();
  }

  // ---- the engine's side: a connection it writes to ------------------------------

  write(data: Buffer | string, encoding?: BufferEncoding): boolean {
    if (this.done) return true;
    if (this.head === null && typeof data === 'string') {
      const decision = this.plan.decision;
      this.head = decision !== null ? applyRequestHeaderOps(data, decision.requestHeaderOps) : data;
      if (this.filterOps !== null) this.head = applyRequestHeaderOps(this.head, this.filterOps);
      for (const m of this.mirrors) m.writeHead(this.head);
      return true;
    }
    const chunk = typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data;
    for (const m of this.mirrors) m.write(chunk);
    this.bodyBytes += chunk.length;
    if (this.retainBody && this.chunks !== null) {
      this.bufferedBytes += chunk.length;
      if (this.bufferedBytes > RETRY_BUFFER_LIMIT) {
        this.retainBody = false;
        this.chunks = null;
      } else {
        this.chunks.push(chunk);
      }
    }
    const conn = this.conn;
    if (conn !== null) return conn.write(chunk);
    if (this.unsent === NO_CHUNKS) this.unsent = [];
    this.unsent.push(chunk);
    const ok = this.unsentBytes() < RETRY_BUFFER_LIMIT;
    if (!ok) this.engineBlocked = true;
    return ok;
  }

  private unsentBytes(): number {
    let n = 0;
    for (const c of this.unsent) n += c.length;
    return n;
  }

  // ---- SocketFacade: what the engine does to its upstream's socket ---------------

  cork(): void {}
  uncork(): void {}
  pause(): void {
    this.pauseUpstream(true);
  }
  resume(): void {
    this.pauseUpstream(false);
  }

  /** The engine applied back-pressure (or released it) on the response. */
  pauseUpstream(pause: boolean): void {
    this.paused = pause;
    const conn = this.conn;
    if (conn === null) return;
    if (pause) conn.socket.pause();
    else conn.socket.resume();
  }

  /** The engine is done with the exchange (response complete): give the real connection back. */
  release(reusable: boolean): void {
    const conn = this.conn;
    const pool = this.pool;
    this.conn = null;
    if (conn !== null && pool !== null) {
      if (this.paused) conn.socket.resume();
      pool.release(conn, reusable && this.ex.requestEnded);
    }
    this.finish();
  }

  /** The engine abandoned the exchange (timeout, client gone, failure). */
  abort(): void {
    if (this.done) return;
    const host = this.host;
    const cluster = this.plan.cluster;
    if (this.attemptStarted && host !== null && cluster !== null && !this.forwarded && this.ex.responseCode === 0 && this.conn !== null) {
      // The route timeout fired while the attempt was outstanding.
      cluster.state.onLocalOriginFailure(host, 'timeout');
    }
    this.dropAttempt();
    this.finish();
  }

  // ---- attempts -------------------------------------------------------------------

  private attempt(): void {
    const cluster = this.plan.cluster as NonNullable<ForwardPlan['cluster']>;
    const retry = this.plan.decision?.retry;
    const avoid = retry?.avoidPreviousHosts === true && this.tried.length > 0;
    const host = cluster.closed ? undefined : cluster.state.chooseHost({
      hash: this.plan.hash,
      rejectHost: avoid ? (h: Host) => this.tried.includes(h) : undefined,
      hostSelectionRetryMaxAttempts: retry?.hostSelectionRetryMaxAttempts,
    });
    if (host === undefined) {
      this.failWith('no-healthy-upstream');
      return;
    }
    this.host = host;
    if (this.tried === NO_HOSTS) this.tried = [];
    this.tried.push(host);
    this.ex.upstreamHost = host.key;
    const pool = cluster.poolFor(host, this.ex.head.httpVersion === '2');
    this.pool = pool;
    this.attemptStarted = true;
    this.discarding = false;
    cluster.state.onRequestStart(host);
    const perTry = retry?.perTryTimeoutMs;
    if (perTry !== undefined && perTry > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.onPerTryTimeout();
      }, perTry);
    }
    this.waiting = true;
    pool.acquire(this);
  }

  onUpstreamReady(conn: UpstreamConnection): void {
    this.waiting = false;
    const cluster = this.plan.cluster;
    if (this.done || cluster === null || this.host === null) {
      (this.pool ?? conn.pool).release(conn, true);
      return;
    }
    if (conn.requests === 1) cluster.state.onConnectionOpen(this.host);
    this.conn = conn;
    const pending = this.chunks !== null ? this.chunks : this.unsent;
    let flowing = true;
    if (pending.length === 0) {
      // The common case: the request is its head alone, one write (no cork bookkeeping).
      if (this.head !== null) conn.write(this.head, 'latin1');
    } else {
      conn.socket.cork();
      if (this.head !== null) conn.write(this.head, 'latin1');
      for (const c of pending) flowing = conn.write(c);
      this.unsent = NO_CHUNKS;
      conn.socket.uncork();
    }
    if (this.paused) conn.socket.pause();
    if (flowing && this.engineBlocked) {
      this.engineBlocked = false;
      this.ex.onUpstreamDrain();
    }
  }

  onUpstreamFailure(reason: UpstreamResetReason): void {
    this.waiting = false;
    if (this.done) return;
    const cluster = this.plan.cluster;
    const host = this.host;
    this.endAttempt();
    if (reason === 'overflow') {
      this.failWith('upstream-overflow');
      return;
    }
    if (cluster !== null && host !== null) cluster.state.onLocalOriginFailure(host, 'connect-failure');
    if (this.retry({ kind: 'connectFailure' })) return;
    this.failWith(reason === 'connect-timeout' ? 'upstream-connect-timeout' : 'upstream-connect-failure');
  }

  onResponseHead(status: number, reason: string, headers: string[], keepAlive: boolean): boolean {
    if (this.done) return false;
    if (status < 200) return this.forwarded ? false : this.ex.onResponseHead(status, reason, headers, keepAlive);
    this.clearTimer();
    const cluster = this.plan.cluster;
    if (cluster !== null && this.host !== null) cluster.state.onResponse(this.host, status);
    this.lastStatus = status;
    const decision = this.plan.decision;
    if (decision !== null && decision.retry !== undefined) {
      const outcome: AttemptOutcome = { kind: 'response', status, header: (name) => findHeader(headers, name) };
      if (this.canRetry() && retryable(decision, outcome, this.retriesDone)) {
        this.discarding = true;
        return this.ex.head.method === 'HEAD';
      }
      if (this.retriesDone > 0 || this.retrySlot) {
        if (retryable(decision, outcome, 0)) this.ex.responseFlags |= ResponseFlag.URX;
      }
    }
    this.forwarded = true;
    const ops = decision?.responseHeaderOps;
    const out = ops !== undefined && ops.length > 0 ? applyResponseHeaderOps(headers, ops) : headers;
    return this.ex.onResponseHead(status, reason, out, keepAlive);
  }

  onResponseBody(chunk: Buffer): void {
    if (this.done || this.discarding) return;
    this.responseBytes += chunk.length;
    this.ex.onResponseBody(chunk);
  }

  onResponseTrailers(trailers: string[]): void {
    if (this.done || this.discarding) return;
    (this.ex as UpstreamUser).onResponseTrailers?.(trailers);
  }

  onResponseEnd(keepAlive: boolean): void {
    if (this.done) return;
    if (this.discarding) {
      const conn = this.conn;
      const pool = this.pool;
      this.conn = null;
      if (conn !== null && pool !== null) pool.release(conn, keepAlive && this.ex.requestEnded);
      this.endAttempt();
      this.scheduleRetry();
      return;
    }
    const cluster = this.plan.cluster;
    if (cluster !== null && this.retriesDone > 0 && this.lastStatus < 500) cluster.state.onRetrySuccess();
    this.ex.onResponseEnd(keepAlive);
  }

  onUpstreamReset(reason: UpstreamResetReason): void {
    const conn = this.conn;
    this.conn = null;
    if (this.done) return;
    if (this.forwarded) {
      this.endAttempt();
      this.ex.onUpstreamReset(reason);
      return;
    }
    const cluster = this.plan.cluster;
    const host = this.host;
    const staleKeepAlive = conn !== null && conn.requests > 1 && conn.responseBytes === 0 && reason === 'termination';
    this.endAttempt();
    if (staleKeepAlive && (this.chunks !== null || this.bodyBytes === 0) && !this.staleRetried) {
      // A reused connection closed under us before answering: once more on a fresh one, not counted as a retry.
      this.staleRetried = true;
      this.tried.pop();
      this.attempt();
      return;
    }
    if (cluster !== null && host !== null) cluster.state.onLocalOriginFailure(host, 'reset');
    if (this.discarding) {
      this.scheduleRetry();
      return;
    }
    if (this.retry({ kind: 'reset', requestSent: true })) return;
    this.failWith(reason === 'protocol-error' ? 'upstream-protocol-error' : reason === 'remote-reset' ? 'upstream-remote-reset' : 'upstream-connection-termination');
  }

  onUpstreamDrain(): void {
    if (!this.done) this.ex.onUpstreamDrain();
  }

  private onPerTryTimeout(): void {
    if (this.done || this.forwarded) return;
    const cluster = this.plan.cluster;
    if (cluster !== null && this.host !== null) cluster.state.onLocalOriginFailure(this.host, 'timeout');
    this.dropAttempt();
    if (this.retry({ kind: 'perTryTimeout' })) return;
    this.failWith('upstream-request-timeout');
  }

  // ---- retries ------------------------------------------------------------------

  private canRetry(): boolean {
    const cluster = this.plan.cluster;
    if (!this.retainBody || this.chunks === null || this.forwarded || cluster === null) return false;
    // Envoy's retry budget: max_retries concurrent retries per cluster (this request's own slot is given back first).
    const cb = cluster.state.circuitBreakers.default;
    return cb.retries - (this.retrySlot ? 1 : 0) < cb.thresholds.maxRetries;
  }

  /** Retries when the plan allows it; false when the caller must fail the request. */
  private retry(outcome: AttemptOutcome): boolean {
    const decision = this.plan.decision;
    if (decision === null) return false;
    if (!this.canRetry() || !retryable(decision, outcome, this.retriesDone)) {
      if (this.retriesDone > 0 && retryable(decision, outcome, 0)) this.ex.responseFlags |= ResponseFlag.URX;
      return false;
    }
    this.scheduleRetry();
    return true;
  }

  private scheduleRetry(): void {
    const cluster = this.plan.cluster;
    const plan = this.plan.decision?.retry;
    if (cluster === null || plan === undefined) return;
    if (this.retrySlot) {
      cluster.state.circuitBreakers.default.releaseRetry();
      this.retrySlot = false;
    }
    if (!cluster.state.circuitBreakers.default.tryAcquireRetry()) {
      // The retry budget is spent: answer with what the last attempt gave.
      this.ex.responseFlags |= ResponseFlag.URX;
      this.failWith('upstream-retry-limit');
      return;
    }
    this.retrySlot = true;
    this.retriesDone++;
    cluster.state.onRetry();
    const wait = plan.nextBackoff(this.retriesDone, Math.random);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.done) this.attempt();
    }, wait);
  }

  // ---- endings ------------------------------------------------------------------

  /** Ends the current attempt's accounting (not its connection). */
  private endAttempt(): void {
    this.clearTimer();
    const cluster = this.plan.cluster;
    if (this.attemptStarted && cluster !== null && this.host !== null) cluster.state.onRequestEnd(this.host);
    this.attemptStarted = false;
  }

  /** Gives up the current attempt: leaves the pool queue, closes the connection. */
  private dropAttempt(): void {
    this.endAttempt();
    const pool = this.pool;
    if (pool !== null && this.waiting) {
      this.waiting = false;
      pool.cancel(this);
    }
    const conn = this.conn;
    this.conn = null;
    if (conn !== null && pool !== null) pool.destroyConnection(conn);
  }

  private failWith(failure: Parameters<Exchange['fail']>[0]): void {
    if (this.done) return;
    if (failure === 'no-healthy-upstream') this.ex.upstreamHost = null;
    this.ex.fail(failure);
  }

  /** A local answer delivered through the upstream side (after a fault delay). */
  private deliverLocal(status: number, body: string, headers: readonly string[]): void {
    const buf = Buffer.from(body, 'utf8');
    const all = [...headers, 'content-length', String(buf.length)];
    if (buf.length > 0) all.push('content-type', 'text/plain');
    this.forwarded = true;
    const ex = this.ex;
    ex.onResponseHead(status, reasonPhrase(status), all, true);
    if (buf.length > 0 && ex.head.method !== 'HEAD') ex.onResponseBody(buf);
    ex.onResponseEnd(true);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    this.endAttempt();
    const cluster = this.plan.cluster;
    if (cluster !== null) {
      const cb = cluster.state.circuitBreakers.default;
      if (this.requestSlot) cb.releaseRequest();
      if (this.retrySlot) cb.releaseRetry();
    }
    this.requestSlot = false;
    this.retrySlot = false;
    this.chunks = null;
    this.unsent = NO_CHUNKS;
    for (const m of this.mirrors) m.end();
  }
}

/** The first value of `lowerName` (any case in `headers`); lower-cases only names of the same length. */
function findHeader(headers: readonly string[], lowerName: string): string | undefined {
  const n = lowerName.length;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === n && (name === lowerName || name.toLowerCase() === lowerName)) return headers[i + 1];
  }
  return undefined;
}
