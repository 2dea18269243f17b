import type * as net from 'net';
import type { AccessLogEntry } from './access-log';
import { performance } from 'perf_hooks';
import { Exchange } from './exchange';
import { RequestHeaderScan } from './header-policy';
import type { Http1Listener } from './http1-listener';
import {
  consumeSocket,
  createParser,
  isParseError,
  METHODS,
  NativeParser,
  PARSE_REQUEST,
  ParserSink,
  ParseError,
  releaseParser,
  setHandleReading,
} from './node-http-parser';
import { Counter } from './proxy-stats';
import type { RequestHead } from './request-head';
import { FAILURES, ProxyFailure, reasonPhrase } from './response-flags';

/**
 * One downstream HTTP/1.x connection: feeds bytes to the request parser, turns
 * each head into an {@link Exchange}, and answers exchanges strictly in request
 * order (pipelined requests wait, with reading paused, until their turn).
 */
export class DownstreamConnection implements ParserSink {
  readonly remoteAddress: string;
  /** The peer's SPIFFE ID when the listener terminated mTLS (see proxy/tls), else undefined. */
  readonly peerPrincipal: string | undefined;
  /**
   * The `x-forwarded-client-cert` element this proxy adds for its mTLS peer,
   * else '' (then any XFCC the client sent is dropped, as Envoy's SANITIZE).
   */
  readonly clientCert: string;
  /** No further requests are read; the connection closes after the current response. */
  closeAfterCurrent = false;
  private readonly parser: NativeParser;
  private readonly scan = new RequestHeaderScan();
  private active: Exchange | null = null;
  private readonly waiting: Exchange[] = [];
  private reading: Exchange | null = null;
  private pendingHeaders: string[] | null = null;
  private pendingUrl = '';
  private headStartedAt = 0;
  private idleSince: number;
  private paused = false;
  private closed = false;
  /** The parser reads the socket's handle itself (no 'data' events). */
  private readonly consumed: boolean;
  /** The client sent FIN: close once every accepted request is answered. */
  private peerEnded = false;
  private inData = false;
  private uncorkSocket: net.Socket | null = null;
  /** A failure to answer once earlier exchanges are done (parse error in a pipeline). */
  private fatal: ProxyFailure | null = null;

  constructor(readonly listener: Http1Listener, readonly socket: net.Socket) {
    this.remoteAddress = socket.remoteAddress ?? '';
    const peer = socket as net.Socket & { meshformPeerPrincipal?: string; meshformClientCert?: string };
    this.peerPrincipal = peer.meshformPeerPrincipal;
    this.clientCert = peer.meshformClientCert ?? '';
    this.idleSince = performance.now();
    this.parser = createParser(PARSE_REQUEST, listener.options.maxHeaderBytes, this);
    socket.setNoDelay(true);
    socket.on('data', this.onData.bind(this));
    this.consumed = consumeSocket(this.parser, socket, this.onExecute.bind(this));
    socket.on('drain', this.onDrain.bind(this));
    socket.on('end', this.onEnd.bind(this));
    socket.on('error', noop);
    socket.on('close', this.onClose.bind(this));
  }

  private onData(chunk: Buffer): void {
    if (this.closeAfterCurrent) return; // nothing more is read on a closing connection
    this.inData = true;
    this.onExecute(this.parser.execute(chunk));
  }

  /** After the parser went through one read (from onData, or natively when consumed). */
  private onExecute(r: number | ParseError): void {
    this.inData = false;
    const s = this.uncorkSocket;
    if (s !== null) {
      this.uncorkSocket = null;
      s.uncork();
    }
    if (isParseError(r)) {
      if (!this.closeAfterCurrent) this.onParseError(r);
      return;
    }
    this.listener.stats.counters[Counter.downstream_cx_rx_bytes_total] += r;
  }

  /** Uncorks `socket` when the current data chunk has been parsed (or now, outside one). */
  uncorkLater(socket: net.Socket): void {
    if (!this.inData) {
      socket.uncork();
      return;
    }
    const prev = this.uncorkSocket;
    if (prev !== null && prev !== socket) prev.uncork();
    this.uncorkSocket = socket;
  }

  private onDrain(): void {
    if (this.active !== null) this.active.onDownstreamDrain();
  }

  /** The client half-closed: answer what is complete, then close; an unfinished request is abandoned. */
  private onEnd(): void {
    if (this.closed) return;
    if (this.reading !== null || this.headStartedAt !== 0) {
      this.destroy();
      return;
    }
    this.peerEnded = true;
    if (this.active === null) this.closeGracefully();
  }

  private onClose(): void {
    this.closed = true;
    this.closeAfterCurrent = true;
    const l = this.listener;
    l.stats.counters[Counter.downstream_cx_active]--;
    l.forget(this);
    const a = this.active;
    if (a !== null && !a.finished) {
      l.stats.counters[Counter.downstream_cx_destroy_remote_active_rq]++;
      a.onDownstreamClosed();
    }
    for (const w of this.waiting.splice(0)) w.onDownstreamClosed();
    this.active = null;
    releaseParser(this.parser, this.consumed);
  }

  destroy(): void {
    this.closeAfterCurrent = true;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Pauses reading while a pipelined request waits its turn or a request body cannot flow. */
  updateReading(): void {
    const r = this.reading;
    const pause = this.waiting.length > 0 || (r !== null && r.blocked);
    if (pause === this.paused || this.closed) return;
    this.paused = pause;
    if (this.consumed) setHandleReading(this.socket, !pause);
    else if (pause) this.socket.pause();
    else this.socket.resume();
  }

  /** Timer check: header (slowloris) and idle timeouts, per-request deadlines. */
  checkTimers(now: number): void {
    const o = this.listener.options;
    const c = this.listener.stats.counters;
    if (this.active !== null) this.active.checkDeadline(now);
    if (this.closeAfterCurrent) return; // closing: no head or idle deadlines apply
    if (this.headStartedAt !== 0 && now - this.headStartedAt > o.headersTimeoutMs) {
      c[Counter.downstream_rq_header_timeout]++;
      this.headStartedAt = 0;
      this.failConnection('request-headers-timeout');
      return;
    }
    if (this.active === null && this.reading === null && this.headStartedAt === 0 && now - this.idleSince > o.idleTimeoutMs) {
      c[Counter.downstream_cx_idle_timeout]++;
      this.destroy();
    }
  }

  /** Called by an exchange when both its request and response are complete (or abandoned). */
  onExchangeFinished(ex: Exchange): void {
    const l = this.listener;
    l.stats.counters[Counter.downstream_rq_active]--;
    l.stats.recordExchange(ex.responseCode, ex.responseFlags, ex.durationMs);
    if (l.accessLog !== undefined) l.accessLog(ex);
    if (this.reading === ex) this.reading = null;
    if (this.active !== ex) {
      const i = this.waiting.indexOf(ex);
      if (i >= 0) this.waiting.splice(i, 1);
      return;
    }
    this.active = null;
    this.idleSince = performance.now();
    if (this.closed) return;
    if (!ex.keepAlive) {
      this.closeGracefully();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.active = next;
      this.updateReading();
      next.start();
      return;
    }
    if (this.fatal !== null) {
      this.sendFatal(this.fatal);
      return;
    }
    if (this.peerEnded) {
      this.closeGracefully();
      return;
    }
    this.updateReading();
  }

  private closeGracefully(): void {
    this.closeAfterCurrent = true;
    for (const w of this.waiting.splice(0)) w.onDownstreamClosed();
    this.socket.end();
  }

  private onParseError(err: ParseError): void {
    const failure: ProxyFailure = err.code === 'HPE_HEADER_OVERFLOW' ? 'request-headers-too-large' : 'downstream-protocol-error';
    this.failConnection(failure);
  }

  /** Stops reading; answers `failure` after the exchanges already accepted, then closes. */
  private failConnection(failure: ProxyFailure): void {
    const c = this.listener.stats.counters;
    if (failure === 'request-headers-too-large') c[Counter.downstream_rq_too_large_headers]++;
    else if (failure === 'downstream-protocol-error') c[Counter.downstream_cx_protocol_error]++;
    this.closeAfterCurrent = true;
    const r = this.reading;
    this.reading = null;
    if (r !== null && !r.finished) {
      // The failure is inside this request's body: it is the answer to that request.
      if (r === this.active) {
        r.fail(failure);
        return;
      }
      const i = this.waiting.indexOf(r);
      if (i >= 0) this.waiting.splice(i, 1);
      r.onDownstreamClosed();
    }
    if (this.active === null) this.sendFatal(failure);
    else this.fatal = failure;
  }

  private sendFatal(failure: ProxyFailure): void {
    const row = FAILURES[failure];
    this.closeAfterCurrent = true;
    this.listener.stats.recordExchange(row.status, row.flag, 0);
    if (this.listener.accessLog !== undefined) this.listener.accessLog(connectionLevelEntry(this, row.status, row.flag, row.details));
    const body = row.body;
    this.socket.end(
      `HTTP/1.1 ${row.status} ${reasonPhrase(row.status)}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      'latin1',
    );
  }

  // ParserSink (request mode)

  onMessageBegin(): void {
    if (this.closeAfterCurrent) return;
    // Starts the head deadline (slowloris) at a message's first byte; the head-complete callback clears it.
    this.headStartedAt = performance.now();
    this.inData = true;
  }

  onHeaders(headers: string[], url: string): void {
    this.pendingHeaders = this.pendingHeaders === null ? headers : this.pendingHeaders.concat(headers);
    if (url !== undefined && url !== '') this.pendingUrl += url;
  }

  onHeadersComplete(
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    _status: number | undefined,
    _reason: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    this.inData = true;
    if (this.closeAfterCurrent) return 0;
    let all = headers;
    let target = url;
    if (this.pendingHeaders !== null) {
      all = headers === undefined ? this.pendingHeaders : this.pendingHeaders.concat(headers);
      target = this.pendingUrl + (url ?? '');
      this.pendingHeaders = null;
      this.pendingUrl = '';
    }
    all ??= [];
    this.headStartedAt = 0;
    if (all.length > this.listener.options.maxHeaderCount * 2) {
      this.failConnection('request-headers-too-large');
      return 0;
    }
    if (upgrade) {
      this.failConnection('upgrade-rejected');
      return 0;
    }
    const scan = this.scan;
    scan.scan(all);
    const t = target ?? '';
    let path = t;
    let authority = scan.host;
    if (t.charCodeAt(0) !== 47 /* '/' */ && t !== '*') {
      // Absolute form (RFC 9112 §3.2.2): the target's authority wins over Host.
      const m = /^https?:\/\/([^/?#]*)(.*)$/i.exec(t);
      if (m === null) {
        this.failConnection('downstream-protocol-error');
        return 0;
      }
      authority = m[1];
      path = m[2] === '' ? '/' : m[2];
    }
    const head: RequestHead = {
      method: METHODS[method ?? 0] ?? 'GET',
      path,
      authority,
      headers: all,
      httpVersion: versionMajor === 1 && versionMinor === 0 ? '1.0' : '1.1',
      scheme: 'http',
      remoteAddress: this.remoteAddress,
      peerPrincipal: this.peerPrincipal,
    };
    const ex = new Exchange(this, head, scan, keepAlive);
    this.listener.stats.counters[Counter.downstream_rq_total]++;
    this.listener.stats.counters[Counter.downstream_rq_active]++;
    this.reading = ex;
    if (this.active === null) {
      this.active = ex;
      ex.start();
    } else {
      this.waiting.push(ex);
      this.updateReading();
    }
    return 0;
  }

  onBody(chunk: Buffer): void {
    const r = this.reading;
    if (r !== null) r.onRequestBody(chunk);
  }

  onMessageComplete(): void {
    const r = this.reading;
    if (r === null) return;
    this.reading = null;
    r.onRequestEnd();
    if (this.waiting.length === 0) this.updateReading();
  }
}

function noop(): void {}

/** An access-log entry for a failure that happened before any request head was complete. */
function connectionLevelEntry(conn: DownstreamConnection, status: number, flags: number, details: string): AccessLogEntry {
  return {
    head: { method: '-', path: '-', authority: '', headers: [], httpVersion: '1.1' as const, scheme: 'http' as const, remoteAddress: conn.remoteAddress },
    requestId: '',
    responseCode: status,
    responseFlags: flags,
    responseCodeDetails: details,
    bytesReceived: 0,
    bytesSent: 0,
    startTimeMs: Date.now(),
    durationMs: 0,
    upstreamHost: null,
    upstreamCluster: null,
  };
}
