import type { Socket } from 'net';
import { performance } from 'perf_hooks';
import type { EndpointPool } from '../upstream/endpoint-pool';
import type { UpstreamConnection } from '../upstream/upstream-connection';
import type { UpstreamResetReason, UpstreamUser } from '../upstream/upstream-user';
import type { AccessLogEntry } from './access-log';
import type { DownstreamConnection } from './downstream-connection';
import { BODY_CHUNKED, BODY_NONE, RequestHeaderScan, ResponseHeaderScan } from './header-policy';
import { Counter } from './proxy-stats';
import { writeDirect } from './socket-write';
import { flatLines, upstreamHeadEnd, upstreamHeadStart } from './upstream-head';
import type { RequestHead } from './request-head';
import { FAILURES, ProxyFailure, reasonPhrase, ResponseFlag } from './response-flags';
import type { ForwardDecision, RouteDecision } from './route-decision';

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';
const responseScan = new ResponseHeaderScan();

/**
 * One request/response exchange on a downstream HTTP/1 connection: routes the
 * head, streams the request body to the chosen pool's connection, streams the
 * response back, and reports failures through the response-flags table.
 */
export class Exchange implements UpstreamUser, AccessLogEntry {
  // AccessLogEntry
  requestId: string;
  responseCode = 0;
  responseFlags = 0;
  responseCodeDetails = 'via_upstream';
  bytesReceived = 0;
  bytesSent = 0;
  readonly startTimeMs: number;
  durationMs = 0;
  upstreamHost: string | null = null;
  upstreamCluster: string | null = null;

  /** performance.now() at arrival. */
  readonly startedAt: number;
  /** performance.now() deadline, 0 = none. */
  deadline = 0;
  /** Keep the downstream connection open after this exchange. */
  keepAlive: boolean;
  /** The request's body framing (BODY_*). */
  readonly bodyKind: number;
  readonly expectContinue: boolean;
  /** The forwardable request header lines. */
  private readonly headerBlock: string;
  private readonly forwardedFor: string;
  private readonly forwardedClientCert: string;
  private readonly forwardedProto: string;
  private readonly hadRequestId: boolean;

  requestEnded = false;
  /** True while the request body cannot flow (no upstream yet, or upstream buffer full). */
  blocked = false;
  finished = false;
  private queued: Buffer[] | null = null;
  private discardBody = false;
  private route: ForwardDecision | null = null;
  private pool: EndpointPool | null = null;
  private waitingForPool = false;
  upstream: UpstreamConnection | null = null;
  private requestSent = false;
  private retried = false;
  private responseStarted = false;
  private responseDone = false;
  private responseChunked = false;
  private responseNoBody = false;
  private upstreamPaused = false;
  /** A response head waiting to leave together with the first body bytes. */
  private pendingHead: string | null = null;

  constructor(
    readonly conn: DownstreamConnection,
    readonly head: RequestHead,
    scan: RequestHeaderScan,
    keepAlive: boolean,
  ) {
    this.startedAt = performance.now();
    this.startTimeMs = Date.now();
    this.keepAlive = keepAlive;
    this.bodyKind = scan.bodyKind;
    this.expectContinue = scan.expectContinue;
    this.headerBlock = scan.block;
    this.forwardedFor = scan.forwardedFor;
    this.forwardedClientCert = scan.clientCert;
    this.forwardedProto = scan.forwardedProto;
    this.hadRequestId = scan.requestId !== '';
    this.requestId = this.hadRequestId || !conn.listener.options.generateRequestId ? scan.requestId : conn.listener.requestIds.next();
  }

  /** Runs the route stage and acts on its decision (called when this exchange's turn comes). */
  start(): void {
    let decision: RouteDecision;
    try {
      decision = this.conn.listener.route(this.head);
    } catch {
      decision = { kind: 'local', status: 500, body: 'route error' };
    }
    switch (decision.kind) {
      case 'forward': {
        this.route = decision;
        this.pool = decision.pool;
        this.upstreamCluster = decision.cluster;
        this.upstreamHost = decision.pool.address;
        const t = decision.timeoutMs ?? this.conn.listener.options.requestTimeoutMs;
        if (t > 0) this.deadline = this.startedAt + t;
        this.waitingForPool = true;
        this.blocked = true;
        decision.pool.acquire(this);
        return;
      }
      case 'local':
        this.responseFlags |= decision.flags ?? 0;
        this.responseCodeDetails = 'direct_response';
        this.sendLocal(decision.status, decision.body ?? '', decision.headers, false);
        return;
      case 'failure':
        this.fail(decision.failure);
        return;
    }
  }

  // Request side (driven by the downstream parser).

  onRequestBody(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    if (this.discardBody) return;
    if (this.upstream !== null && this.queued === null) {
      if (!this.writeBody(this.upstream, chunk)) {
        this.blocked = true;
        this.conn.updateReading();
      }
      return;
    }
    (this.queued ??= []).push(chunk);
    this.blocked = true;
    this.conn.updateReading();
  }

  onRequestEnd(): void {
    this.requestEnded = true;
    if (this.discardBody) {
      this.maybeFinish();
      return;
    }
    if (this.upstream !== null && this.queued === null) this.endBody(this.upstream);
  }

  private writeBody(up: UpstreamConnection, chunk: Buffer): boolean {
    if (this.bodyKind === BODY_CHUNKED) {
      up.write(chunk.length.toString(16) + CRLF, 'latin1');
      up.write(chunk);
      return up.write(CRLF, 'latin1');
    }
    return up.write(chunk);
  }

  private endBody(up: UpstreamConnection): void {
    if (this.bodyKind === BODY_CHUNKED) up.write(LAST_CHUNK, 'latin1');
    this.requestSent = true;
  }

  // UpstreamUser

  onUpstreamReady(conn: UpstreamConnection): void {
    this.waitingForPool = false;
    if (this.finished || this.responseDone) {
      (this.pool as EndpointPool).release(conn, true);
      return;
    }
    this.upstream = conn;
    if (this.bodyKind === BODY_NONE) {
      // The common case: the whole request is its head, one write.
      conn.write(this.upstreamHead(), 'latin1');
      this.endBody(conn);
      this.blocked = false;
      this.conn.updateReading();
      return;
    }
    const socket = conn.socket;
    socket.cork();
    conn.write(this.upstreamHead(), 'latin1');
    const q = this.queued;
    let flowing = true;
    if (q !== null) {
      this.queued = null;
      for (let i = 0; i < q.length; i++) flowing = this.writeBody(conn, q[i]);
    }
    if (this.requestEnded) this.endBody(conn);
    this.conn.uncorkLater(socket);
    if (flowing) {
      this.blocked = false;
      this.conn.updateReading();
    }
  }

  onUpstreamFailure(reason: UpstreamResetReason): void {
    this.waitingForPool = false;
    if (this.finished) return;
    this.fail(upstreamFailure(reason, false));
  }

  onResponseHead(status: number, reason: string, headers: string[], _keepAlive: boolean): boolean {
    if (this.finished) return false;
    const socket = this.conn.socket;
    responseScan.scan(headers);
    if (status < 200) {
      // Interim response (100 Continue, 103 Early Hints): relay to HTTP/1.1 clients.
      if (this.head.httpVersion === '1.1' && status !== 101) {
        socket.write(`HTTP/1.1 ${status} ${reason}${CRLF}${responseScan.block}${CRLF}`, 'latin1');
      }
      return false;
    }
    this.responseStarted = true;
    this.responseCode = status;
    const isHead = this.head.method === 'HEAD';
    this.responseNoBody = isHead || status === 204 || status === 304;
    let framing = '';
    if (!this.responseNoBody && responseScan.contentLength < 0) {
      if (this.head.httpVersion === '1.1') {
        this.responseChunked = true;
        framing = 'transfer-encoding: chunked\r\n';
      } else {
        this.keepAlive = false; // close-delimited for HTTP/1.0 clients
      }
    }
    if (this.conn.closeAfterCurrent) this.keepAlive = false;
    const connection = this.keepAlive ? (this.head.httpVersion === '1.0' ? 'connection: keep-alive\r\n' : '') : 'connection: close\r\n';
    const extra = this.route?.responseHeadersToAdd;
    const head = `HTTP/1.1 ${status} ${reason}${CRLF}${responseScan.block}${extra !== undefined ? flatLines(extra) : ''}${framing}${connection}${CRLF}`;
    if (this.responseNoBody || this.responseChunked) socket.write(head, 'latin1');
    else this.pendingHead = head; // sent with the first body bytes, in one write
    return isHead;
  }

  onResponseBody(chunk: Buffer): void {
    if (this.finished) return;
    this.bytesSent += chunk.length;
    const socket = this.conn.socket;
    let ok: boolean;
    const head = this.pendingHead;
    if (head !== null) {
      this.pendingHead = null;
      ok = writeJoined(socket, head, chunk, null);
    } else if (this.responseChunked) {
      ok = writeJoined(socket, chunk.length.toString(16) + CRLF, chunk, CRLF);
    } else {
      ok = socket.write(chunk);
    }
    if (!ok && this.upstream !== null && !this.upstreamPaused) {
      this.upstreamPaused = true;
      this.upstream.socket.pause();
    }
  }

  onResponseEnd(keepAlive: boolean): void {
    if (this.finished) return;
    if (this.responseChunked) this.conn.socket.write(LAST_CHUNK, 'latin1');
    else if (this.pendingHead !== null) {
      this.conn.socket.write(this.pendingHead, 'latin1');
      this.pendingHead = null;
    }
    this.responseDone = true;
    const up = this.upstream;
    if (up !== null) {
      this.upstream = null;
      if (this.upstreamPaused) up.socket.resume();
      (this.pool as EndpointPool).release(up, keepAlive && this.requestSent);
    }
    if (!this.requestEnded) {
      // Answered before the whole request arrived: read and drop the rest.
      this.discardBody = true;
      this.queued = null;
      this.blocked = false;
      this.conn.updateReading();
    }
    this.maybeFinish();
  }

  onUpstreamReset(reason: UpstreamResetReason): void {
    const up = this.upstream;
    this.upstream = null;
    if (this.finished) return;
    if (!this.responseStarted && reason === 'termination' && up !== null && up.requests > 1 && up.responseBytes === 0 && this.bodyKind === BODY_NONE && !this.retried) {
      // A reused keep-alive connection closed under us before answering: try once more on a fresh one.
      this.retried = true;
      this.conn.listener.stats.counters[Counter.upstream_rq_retry]++;
      this.waitingForPool = true;
      this.blocked = true;
      (this.pool as EndpointPool).acquire(this);
      return;
    }
    this.fail(upstreamFailure(reason, this.retried));
  }

  onUpstreamDrain(): void {
    if (this.blocked && this.queued === null && !this.finished) {
      this.blocked = false;
      this.conn.updateReading();
    }
  }

  /** The downstream socket drained: let a paused upstream response flow again. */
  onDownstreamDrain(): void {
    if (this.upstreamPaused && this.upstream !== null) {
      this.upstreamPaused = false;
      this.upstream.socket.resume();
    }
  }

  // Failures and timeouts.

  /** Checked by the listener's timer. */
  checkDeadline(now: number): void {
    if (this.deadline !== 0 && now >= this.deadline && !this.finished && !this.responseDone) {
      this.conn.listener.stats.counters[Counter.downstream_rq_timeout]++;
      this.releaseUpstream();
      this.fail('upstream-request-timeout');
    }
  }

  /** Answers with the failure table's response, or resets the client when a response already started. */
  fail(failure: ProxyFailure): void {
    const row = FAILURES[failure];
    this.responseFlags |= row.flag;
    this.responseCodeDetails = row.details;
    this.releaseUpstream();
    if (this.responseStarted || row.status === 0) {
      this.abort();
      return;
    }
    this.sendLocal(row.status, row.body, undefined, row.close);
  }

  /** The client went away before the exchange finished (DC). */
  onDownstreamClosed(): void {
    if (this.finished) return;
    this.responseFlags |= ResponseFlag.DC;
    this.responseCodeDetails = FAILURES['downstream-disconnect'].details;
    this.conn.listener.stats.counters[Counter.downstream_rq_rx_reset]++;
    this.releaseUpstream();
    this.finish();
  }

  private releaseUpstream(): void {
    const pool = this.pool;
    if (pool === null) return;
    if (this.waitingForPool) {
      this.waitingForPool = false;
      pool.cancel(this);
    }
    const up = this.upstream;
    if (up !== null) {
      this.upstream = null;
      pool.destroyConnection(up);
    }
  }

  private sendLocal(status: number, body: string, headers: readonly string[] | undefined, close: boolean): void {
    this.responseStarted = true;
    this.responseDone = true;
    this.responseCode = status;
    if (!this.requestEnded) {
      this.queued = null;
      this.discardBody = true;
      this.blocked = false;
      // A client waiting for 100-continue would never send the rest: do not wait for it.
      if (this.expectContinue) close = true;
    }
    if (close || this.conn.closeAfterCurrent) this.keepAlive = false;
    const len = Buffer.byteLength(body);
    this.bytesSent = len;
    const connection = this.keepAlive ? (this.head.httpVersion === '1.0' ? 'connection: keep-alive\r\n' : '') : 'connection: close\r\n';
    const ctype = len > 0 ? 'content-type: text/plain\r\n' : '';
    const extra = headers !== undefined ? flatLines(headers) : '';
    const noBody = this.head.method === 'HEAD' || status === 204 || status === 304;
    this.conn.socket.write(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n${extra}${ctype}content-length: ${len}\r\n${connection}\r\n${noBody ? '' : body}`,
      'utf8',
    );
    if (!this.keepAlive) {
      this.requestEnded = true;
      this.finish();
      return;
    }
    this.conn.updateReading();
    this.maybeFinish();
  }

  /** Reset the client: the response already started, so nothing else can tell it. */
  private abort(): void {
    this.keepAlive = false;
    this.finish();
    this.conn.destroy();
  }

  private maybeFinish(): void {
    if (this.responseDone && this.requestEnded && !this.finished) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.blocked = false;
    this.durationMs = performance.now() - this.startedAt;
    this.conn.onExchangeFinished(this);
  }

  private upstreamHead(): string {
    const route = this.route as ForwardDecision;
    let s = upstreamHeadStart(this.head, route, this.headerBlock, this.forwardedFor, this.forwardedProto);
    if (!this.hadRequestId && this.requestId !== '') s += `x-request-id: ${this.requestId}\r\n`;
    // APPEND_FORWARD on mTLS connections; on plaintext ones a client-sent XFCC is dropped.
    if (this.conn.clientCert !== '') s += `x-forwarded-client-cert: ${this.forwardedClientCert === '' ? '' : `${this.forwardedClientCert},`}${this.conn.clientCert}\r\n`;
    return s + upstreamHeadEnd(route, this.bodyKind === BODY_CHUNKED);
  }
}

const JOIN_LIMIT = 16 * 1024;

/** Node's Buffer#latin1Write (present on every Buffer, missing from the type declarations). */
type Latin1Writable = Buffer & { latin1Write(text: string, offset: number): number };

/**
 * Writes `prefix + chunk + suffix` as one buffer when small (one syscall, no
 * writev bookkeeping, straight to the handle when nothing is queued), else as
 * corked separate writes.
 */
function writeJoined(socket: Socket, prefix: string, chunk: Buffer, suffix: string | null): boolean {
  const pl = prefix.length; // latin1: one byte per character
  const sl = suffix === null ? 0 : suffix.length;
  if (chunk.length <= JOIN_LIMIT) {
    const b = Buffer.allocUnsafe(pl + chunk.length + sl) as Latin1Writable;
    // The encoding-specific writer and TypedArray#set: no encoding lookup or argument checks per call.
    b.latin1Write(prefix, 0);
    b.set(chunk, pl);
    if (suffix !== null) b.latin1Write(suffix, pl + chunk.length);
    return writeDirect(socket, b);
  }
  socket.cork();
  socket.write(prefix, 'latin1');
  socket.write(chunk);
  if (suffix !== null) socket.write(suffix, 'latin1');
  socket.uncork();
  return socket.writableLength < socket.writableHighWaterMark;
}

function upstreamFailure(reason: UpstreamResetReason, retried: boolean): ProxyFailure {
  switch (reason) {
    case 'connect-failure':
      return retried ? 'upstream-retry-limit' : 'upstream-connect-failure';
    case 'connect-timeout':
      return retried ? 'upstream-retry-limit' : 'upstream-connect-timeout';
    case 'overflow':
      return 'upstream-overflow';
    case 'protocol-error':
      return 'upstream-protocol-error';
    case 'termination':
      return retried ? 'upstream-retry-limit' : 'upstream-connection-termination';
    case 'remote-reset':
      return retried ? 'upstream-retry-limit' : 'upstream-remote-reset';
  }
}
