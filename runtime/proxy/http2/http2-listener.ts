/**
 * The listener stage for HTTP/2 cleartext (h2c with prior knowledge): a
 * `node:http2` server that never listens itself and gets connections handed
 * over (after {@link sniffHttpVersion} saw the preface, or directly when the
 * connection manager's codec is HTTP2). Each stream becomes a
 * {@link StreamExchange} over the same `Router`, `ProxyStats`, access-log
 * hook, options and request-id generator as the HTTP/1 listener it sits
 * next to. One timer checks every stream's deadline.
 */
import * as http2 from 'http2';
import * as net from 'net';
import { performance } from 'perf_hooks';
import type { AccessLogHook } from '../http/access-log';
import type { Http1Listener } from '../http/http1-listener';
import { Http1ListenerProps, resolveListenerOptions, ResolvedListenerOptions } from '../http/listener-options';
import { Counter, ProxyStats } from '../http/proxy-stats';
import type { RequestHead } from '../http/request-head';
import { RequestIdGenerator } from '../http/request-id';
import type { Router } from '../http/route-decision';
import { StreamExchange } from './stream-exchange';
import { listenOn } from '../http/listen-on';

export interface Http2ListenerProps extends Http1ListenerProps {
  /** Streams a client may open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS). @default 2147483647 (Envoy's default) */
  readonly maxConcurrentStreams?: number;
  /** Request IDs shared with a sibling listener. @default a new generator */
  readonly requestIds?: RequestIdGenerator;
}

/** What a downstream socket carries about its peer when TLS was terminated in front (see proxy/tls). */
interface PeerFacts {
  meshformPeerPrincipal?: string;
  meshformClientCertLine?: string;
}

export class Http2Listener {
  readonly route: Router;
  readonly stats: ProxyStats;
  readonly accessLog: AccessLogHook | undefined;
  readonly options: ResolvedListenerOptions;
  readonly requestIds: RequestIdGenerator;
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly exchanges = new Set<StreamExchange>();
  private listening: net.Server | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(props: Http2ListenerProps) {
    this.route = props.route;
    this.stats = props.stats ?? new ProxyStats();
    this.accessLog = props.accessLog;
    this.options = resolveListenerOptions(props);
    this.requestIds = props.requestIds ?? new RequestIdGenerator();
    this.server = http2.createServer({
      settings: { maxConcurrentStreams: props.maxConcurrentStreams ?? 2147483647, enablePush: false },
      maxHeaderListPairs: this.options.maxHeaderCount + 8,
      maxSendHeaderBlockLength: 64 * 1024,
    });
    this.server.on('session', (session: http2.ServerHttp2Session) => this.onSession(session));
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]) =>
      this.onStream(stream, headers, flags, raw));
  }

  /** An HTTP/2 listener next to `h1`: same router, stats, access log, options and request IDs. */
  static beside(h1: Http1Listener, props: Pick<Http2ListenerProps, 'maxConcurrentStreams'> = {}): Http2Listener {
    const o = h1.options;
    return new Http2Listener({
      route: h1.route, stats: h1.stats, accessLog: h1.accessLog, requestIds: h1.requestIds,
      maxHeaderBytes: o.maxHeaderBytes, maxHeaderCount: o.maxHeaderCount, headersTimeoutMs: o.headersTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs, requestTimeoutMs: o.requestTimeoutMs, timerResolutionMs: o.timerResolutionMs,
      generateRequestId: o.generateRequestId, ...props,
    });
  }

  /** Listens on `host:port` for h2c with prior knowledge only (tests, standalone use). */
  listen(port: number, host = '127.0.0.1'): Promise<net.AddressInfo> {
    const server = net.createServer({ noDelay: true }, (socket) => this.handleConnection(socket));
    this.listening = server;
    return listenOn(server, port, host);
  }

  /** Serves a connection whose next bytes are the HTTP/2 client preface. */
  handleConnection(socket: net.Socket): void {
    const c = this.stats.counters;
    c[Counter.downstream_cx_total]++;
    c[Counter.downstream_cx_active]++;
    socket.once('close', () => c[Counter.downstream_cx_active]--);
    socket.on('error', noop);
    this.server.emit('connection', socket);
    if (this.timer === null) {
      this.timer = setInterval(this.tick.bind(this), this.options.timerResolutionMs);
      this.timer.unref();
    }
  }

  /** Open sessions. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Streams in flight. */
  get activeStreams(): number {
    return this.exchanges.size;
  }

  /** Closes every session now (streams in flight are reset) and stops listening. */
  close(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const s of this.sessions) s.destroy();
    this.sessions.clear();
    const server = this.listening;
    this.listening = null;
    if (server === null) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** @internal Called by an exchange once it is over. */
  onExchangeFinished(ex: StreamExchange): void {
    this.exchanges.delete(ex);
    const c = this.stats.counters;
    c[Counter.downstream_rq_active]--;
    this.stats.recordExchange(ex.responseCode, ex.responseFlags, ex.durationMs);
    if (this.accessLog !== undefined) this.accessLog(ex);
  }

  private onSession(session: http2.ServerHttp2Session): void {
    this.sessions.add(session);
    session.on('error', noop);
    session.on('close', () => this.sessions.delete(session));
    if (this.options.idleTimeoutMs > 0) {
      session.setTimeout(this.options.idleTimeoutMs, () => {
        this.stats.counters[Counter.downstream_cx_idle_timeout]++;
        session.close();
      });
    }
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, raw: string[]): void {
    const socket = stream.session?.socket as (net.Socket & PeerFacts) | undefined;
    const flat: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if ((raw[i] as string).charCodeAt(0) !== 58 /* ':' */) flat.push(raw[i] as string, raw[i + 1] as string);
    }
    const authority = str(headers[':authority']) ?? str(headers.host) ?? '';
    const head: RequestHead = {
      method: str(headers[':method']) ?? 'GET',
      path: str(headers[':path']) ?? '/',
      authority,
      headers: flat,
      httpVersion: '2',
      scheme: str(headers[':scheme']) === 'https' ? 'https' : 'http',
      remoteAddress: socket?.remoteAddress ?? '',
      peerPrincipal: socket?.meshformPeerPrincipal,
    };
    const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    const ex = new StreamExchange(this, stream, head, endStream, socket?.meshformClientCertLine ?? '');
    this.exchanges.add(ex);
    const c = this.stats.counters;
    c[Counter.downstream_rq_total]++;
    c[Counter.downstream_rq_active]++;
    ex.start();
  }

  private tick(): void {
    const now = performance.now();
    for (const ex of this.exchanges) ex.checkDeadline(now);
    if (this.exchanges.size === 0 && this.sessions.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function noop(): void {}
