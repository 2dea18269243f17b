/**
 * One HTTP/2 stream on a downstream session, run through the same stages as an
 * HTTP/1 exchange: its {@link RequestHead} goes to the listener's `Router`, a
 * forward decision's pool gets this exchange as its {@link UpstreamUser} (the
 * data plane's dispatch pool then runs the router filter: retries, faults,
 * mirrors, outlier events), and failures are answered from the `FAILURES`
 * table. Toward the pool it speaks the engine's upstream dialect (an HTTP/1
 * request head and chunked body); toward the client it speaks HTTP/2, with
 * trailers passed through, resets both ways, and gRPC-shaped local replies.
 */
import * as http2 from 'http2';
import { performance } from 'perf_hooks';
import type { AccessLogEntry } from '../http/access-log';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, RequestHeaderScan } from '../http/header-policy';
import { Counter } from '../http/proxy-stats';
import { upstreamHeadEnd, upstreamHeadStart } from '../http/upstream-head';
import type { RequestHead } from '../http/request-head';
import { FAILURES, ProxyFailure, ResponseFlag } from '../http/response-flags';
import type { ForwardDecision, RouteDecision } from '../http/route-decision';
import type { EndpointPool } from '../upstream/endpoint-pool';
import type { UpstreamConnection } from '../upstream/upstream-connection';
import type { UpstreamResetReason, UpstreamUser } from '../upstream/upstream-user';
import { grpcLocalReply } from './grpc-local-reply';
import type { Http2Listener } from './http2-listener';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;
const CRLF = '\r\n';
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** Response headers that are connection-specific in HTTP/1 and not allowed in HTTP/2. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class StreamExchange implements UpstreamUser, AccessLogEntry {
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
  /** Istio's `request_protocol`: `grpc` for gRPC requests. */
  readonly requestProtocol: 'grpc' | 'http';

  readonly startedAt: number;
  /** performance.now() deadline, 0 = none. */
  deadline = 0;
  requestEnded: boolean;
  finished = false;
  /** The request is gRPC (content-type application/grpc*): local replies are gRPC-shaped. */
  readonly grpc: boolean;

  private readonly scan: RequestHeaderScan;
  private readonly bodyKind: number;
  private readonly wantsTrailers: boolean;
  private route: ForwardDecision | null = null;
  private pool: EndpointPool | null = null;
  private waitingForPool = false;
  upstream: UpstreamConnection | null = null;
  private queued: Buffer[] | null = null;
  private discardBody = false;
  private responseDone = false;
  private pendingHead: http2.OutgoingHttpHeaders | null = null;
  private trailers: http2.OutgoingHttpHeaders | null = null;
  /** A local reply delivered through the upstream side, to be re-shaped for gRPC: its body is the message. */
  private localGrpc: { status: number; message: string } | null = null;
  private upstreamPaused = false;

  constructor(
    readonly listener: Http2Listener,
    readonly stream: http2.ServerHttp2Stream,
    readonly head: RequestHead,
    endStream: boolean,
    private readonly clientCertLine: string,
  ) {
    this.startedAt = performance.now();
    this.startTimeMs = Date.now();
    const scan = new RequestHeaderScan();
    scan.scan(head.headers);
    this.scan = scan;
    this.requestEnded = endStream;
    this.bodyKind = endStream ? BODY_NONE : scan.bodyKind === BODY_LENGTH ? BODY_LENGTH : BODY_CHUNKED;
    const contentType = contentTypeOf(head.headers);
    this.grpc = contentType !== undefined && contentType.startsWith('application/grpc');
    this.requestProtocol = this.grpc ? 'grpc' : 'http';
    this.wantsTrailers = this.grpc || teTrailers(head.headers);
    const generate = listener.options.generateRequestId;
    this.requestId = scan.requestId !== '' || !generate ? scan.requestId : listener.requestIds.next();
    stream.on('data', (chunk: Buffer) => this.onRequestBody(chunk));
    stream.on('end', () => this.onRequestEnd());
    stream.on('drain', () => this.onDownstreamDrain());
    stream.on('error', noop);
    stream.on('close', () => this.onStreamClose());
  }

  /** Runs the route stage and acts on its decision. */
  start(): void {
    let decision: RouteDecision;
    try {
      decision = this.listener.route(this.head);
    } catch {
      decision = { kind: 'local', status: 500, body: 'route error' };
    }
    switch (decision.kind) {
      case 'forward': {
        this.route = decision;
        this.pool = decision.pool;
        this.upstreamCluster = decision.cluster;
        this.upstreamHost = decision.pool.address;
        const t = decision.timeoutMs ?? this.listener.options.requestTimeoutMs;
        if (t > 0) this.deadline = this.startedAt + t;
        this.waitingForPool = true;
        if (!this.requestEnded) this.stream.pause();
        decision.pool.acquire(this);
        return;
      }
      case 'local':
        this.responseFlags |= decision.flags ?? 0;
        this.responseCodeDetails = 'direct_response';
        this.sendLocal(decision.status, decision.body ?? '', decision.headers);
        return;
      case 'failure':
        this.fail(decision.failure);
        return;
    }
  }

  // ---- request side -------------------------------------------------------------

  private onRequestBody(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    if (this.discardBody || this.finished) return;
    const up = this.upstream;
    if (up !== null && this.queued === null) {
      if (!this.writeBody(up, chunk)) this.stream.pause();
      return;
    }
    (this.queued ??= []).push(chunk);
    this.stream.pause();
  }

  private onRequestEnd(): void {
    this.requestEnded = true;
    if (this.discardBody || this.finished) return;
    const up = this.upstream;
    if (up !== null && this.queued === null && this.bodyKind === BODY_CHUNKED) up.write(LAST_CHUNK);
  }

  private writeBody(up: UpstreamConnection, chunk: Buffer): boolean {
    if (this.bodyKind !== BODY_CHUNKED) return up.write(chunk);
    const size = chunk.length.toString(16) + CRLF;
    const framed = Buffer.allocUnsafe(size.length + chunk.length + 2);
    framed.write(size, 0, 'latin1');
    chunk.copy(framed, size.length);
    framed.write(CRLF, size.length + chunk.length, 'latin1');
    return up.write(framed);
  }

  // ---- UpstreamUser ------------------------------------------------------------------

  onUpstreamReady(conn: UpstreamConnection): void {
    this.waitingForPool = false;
    if (this.finished || this.responseDone) {
      (this.pool as EndpointPool).release(conn, false);
      return;
    }
    this.upstream = conn;
    conn.write(this.upstreamHead(), 'latin1');
    const q = this.queued;
    this.queued = null;
    let flowing = true;
    if (q !== null) for (const c of q) flowing = this.writeBody(conn, c);
    if (this.requestEnded) {
      if (this.bodyKind === BODY_CHUNKED) conn.write(LAST_CHUNK);
    } else if (flowing && this.upstream === conn) {
      this.stream.resume();
    }
  }

  onUpstreamFailure(reason: UpstreamResetReason): void {
    this.waitingForPool = false;
    if (this.finished) return;
    this.fail(upstreamFailure(reason));
  }

  onResponseHead(status: number, _reason: string, headers: string[], _keepAlive: boolean): boolean {
    if (this.finished || this.responseDone) return false;
    const stream = this.stream;
    if (status < 200) {
      if (status !== 101 && !stream.headersSent) {
        try {
          stream.additionalHeaders({ ':status': status });
        } catch {
          // the stream closed meanwhile
        }
      }
      return false;
    }
    if (this.grpc && this.responseCodeDetails !== 'via_upstream' && !hasHeader(headers, 'grpc-status')) {
      // A local reply (fault after a delay, filter denial) on its way out: answer it the gRPC way.
      this.localGrpc = { status, message: '' };
      this.responseCode = 200;
      return this.head.method === 'HEAD';
    }
    this.responseCode = status;
    const out: http2.OutgoingHttpHeaders = { ':status': status };
    addFlat(out, headers);
    const extra = this.route?.responseHeadersToAdd;
    if (extra !== undefined) addFlat(out, extra);
    this.pendingHead = out;
    return this.head.method === 'HEAD';
  }

  onResponseBody(chunk: Buffer): void {
    if (this.finished || this.responseDone) return;
    const local = this.localGrpc;
    if (local !== null) {
      local.message += chunk.toString('utf8');
      return;
    }
    this.bytesSent += chunk.length;
    this.flushHead(false);
    const stream = this.stream;
    if (stream.closed || stream.destroyed) return;
    if (!stream.write(chunk) && this.upstream !== null && !this.upstreamPaused) {
      this.upstreamPaused = true;
      this.upstream.socket.pause();
    }
  }

  /** Response trailers (gRPC status): sent when the response ends. */
  onResponseTrailers(trailers: string[]): void {
    if (this.finished || this.responseDone) return;
    const t: http2.OutgoingHttpHeaders = {};
    addFlat(t, trailers);
    this.trailers = t;
  }

  onResponseEnd(_keepAlive: boolean): void {
    if (this.finished || this.responseDone) return;
    this.responseDone = true;
    const stream = this.stream;
    const local = this.localGrpc;
    if (local !== null) {
      this.localGrpc = null;
      this.respondTrailersOnly(grpcLocalReply(local.status, local.message));
    } else if (this.pendingHead !== null) {
      // No body: one HEADERS frame with END_STREAM (gRPC's trailers-only form when the upstream sent trailers).
      const head = this.trailers !== null ? { ...this.pendingHead, ...this.trailers } : this.pendingHead;
      this.pendingHead = null;
      this.respondTrailersOnly(head);
    } else if (!stream.closed && !stream.destroyed) {
      stream.end();
    }
    const up = this.upstream;
    if (up !== null) {
      this.upstream = null;
      if (this.upstreamPaused) up.socket.resume();
      (this.pool as EndpointPool).release(up, this.requestEnded);
    }
    if (!this.requestEnded) {
      // Answered before the whole request arrived: the rest is read and dropped.
      this.discardBody = true;
      this.queued = null;
      stream.resume();
    }
    this.finish();
  }

  onUpstreamReset(reason: UpstreamResetReason): void {
    this.upstream = null;
    if (this.finished) return;
    this.fail(upstreamFailure(reason));
  }

  onUpstreamDrain(): void {
    if (!this.finished && !this.requestEnded && this.queued === null) this.stream.resume();
  }

  private onDownstreamDrain(): void {
    if (this.upstreamPaused && this.upstream !== null) {
      this.upstreamPaused = false;
      this.upstream.socket.resume();
    }
  }

  // ---- failures, timeouts, resets --------------------------------------------------

  /** Checked by the listener's timer. */
  checkDeadline(now: number): void {
    if (this.deadline !== 0 && now >= this.deadline && !this.finished && !this.responseDone) {
      this.listener.stats.counters[Counter.downstream_rq_timeout]++;
      this.fail('upstream-request-timeout');
    }
  }

  /** Answers with the failure table's response, or resets the stream when the response already started. */
  fail(failure: ProxyFailure): void {
    if (this.finished) return;
    const row = FAILURES[failure];
    this.responseFlags |= row.flag;
    this.responseCodeDetails = row.details;
    this.releaseUpstream();
    const stream = this.stream;
    if (row.status === 0 || stream.headersSent || stream.closed) {
      this.resetStream();
      return;
    }
    this.pendingHead = null;
    this.localGrpc = null;
    this.sendLocal(row.status, row.body, undefined);
  }

  /** The client reset the stream or the session went away before the exchange finished (DC). */
  private onStreamClose(): void {
    if (this.finished) return;
    this.responseFlags |= ResponseFlag.DC;
    this.responseCodeDetails = FAILURES['downstream-disconnect'].details;
    this.listener.stats.counters[Counter.downstream_rq_rx_reset]++;
    this.releaseUpstream();
    this.finish();
  }

  private resetStream(): void {
    const stream = this.stream;
    if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_INTERNAL_ERROR);
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

  private sendLocal(status: number, body: string, headers: readonly string[] | undefined): void {
    this.responseDone = true;
    const stream = this.stream;
    if (!this.requestEnded) {
      this.discardBody = true;
      this.queued = null;
      stream.resume();
    }
    if (this.grpc && (headers === undefined || !hasHeader(headers, 'grpc-status'))) {
      this.responseCode = 200;
      this.respondTrailersOnly(grpcLocalReply(status, body));
      this.finish();
      return;
    }
    this.responseCode = status;
    const out: http2.OutgoingHttpHeaders = { ':status': status };
    if (headers !== undefined) addFlat(out, headers);
    const noBody = this.head.method === 'HEAD' || status === 204 || status === 304 || (this.grpc && body === '');
    if (this.grpc || noBody) {
      this.respondTrailersOnly(out);
    } else if (!stream.closed && !stream.destroyed) {
      const buf = Buffer.from(body, 'utf8');
      this.bytesSent = buf.length;
      if (buf.length > 0) out['content-type'] ??= 'text/plain';
      out['content-length'] = buf.length;
      stream.respond(out, { endStream: buf.length === 0 });
      if (buf.length > 0) stream.end(buf);
    }
    this.finish();
  }

  /** Sends the response head now (with the first body bytes), asking for trailers when the client takes them. */
  private flushHead(endStream: boolean): void {
    const head = this.pendingHead;
    if (head === null) return;
    this.pendingHead = null;
    const stream = this.stream;
    if (stream.closed || stream.destroyed) return;
    stream.respond(head, { endStream, waitForTrailers: this.wantsTrailers && !endStream });
    if (this.wantsTrailers && !endStream) {
      stream.once('wantTrailers', () => {
        const t = this.trailers;
        if (t !== null) stream.sendTrailers(t);
        else stream.close(NGHTTP2_NO_ERROR);
      });
    }
  }

  private respondTrailersOnly(headers: http2.OutgoingHttpHeaders): void {
    const stream = this.stream;
    if (stream.closed || stream.destroyed || stream.headersSent) return;
    stream.respond(headers, { endStream: true });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.durationMs = performance.now() - this.startedAt;
    this.listener.onExchangeFinished(this);
  }

  /** The request head in the engine's upstream dialect (HTTP/1.1 text, chunked body when its length is unknown). */
  private upstreamHead(): string {
    const route = this.route as ForwardDecision;
    const scan = this.scan;
    let s = upstreamHeadStart(this.head, route, scan.block, scan.forwardedFor, scan.forwardedProto);
    if (scan.requestId === '' && this.requestId !== '') s += `x-request-id: ${this.requestId}\r\n`;
    if (this.clientCertLine !== '') s += this.clientCertLine;
    if (this.wantsTrailers) s += 'te: trailers\r\n';
    return s + upstreamHeadEnd(route, this.bodyKind === BODY_CHUNKED);
  }
}

function upstreamFailure(reason: UpstreamResetReason): ProxyFailure {
  switch (reason) {
    case 'connect-failure': return 'upstream-connect-failure';
    case 'connect-timeout': return 'upstream-connect-timeout';
    case 'overflow': return 'upstream-overflow';
    case 'protocol-error': return 'upstream-protocol-error';
    case 'termination': return 'upstream-connection-termination';
    case 'remote-reset': return 'upstream-remote-reset';
  }
}

/** Adds flat `[name, value, ...]` headers to an HTTP/2 header object (lower-cased, hop-by-hop dropped). */
function addFlat(out: http2.OutgoingHttpHeaders, flat: readonly string[]): void {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    if (HOP.has(name) || name.charCodeAt(0) === 58) continue;
    const value = flat[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [String(prev), value];
  }
}

function hasHeader(flat: readonly string[], lowerName: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if ((flat[i] as string).toLowerCase() === lowerName) return true;
  return false;
}

function contentTypeOf(flat: readonly string[]): string | undefined {
  for (let i = 0; i < flat.length; i += 2) if ((flat[i] as string).toLowerCase() === 'content-type') return flat[i + 1];
  return undefined;
}

function teTrailers(flat: readonly string[]): boolean {
  for (let i = 0; i < flat.length; i += 2) {
    if ((flat[i] as string).toLowerCase() === 'te' && (flat[i + 1] as string).toLowerCase().includes('trailers')) return true;
  }
  return false;
}

function noop(): void {}
