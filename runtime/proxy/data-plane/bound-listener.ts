/**
 * One listener the proxy binds (a gateway port, a Sidecar egress listener with
 * `bind`, an inbound listener): its socket server and either an HTTP
 * connection manager (the engine's {@link Http1Listener} with an
 * {@link HttpRouter}) or a {@link TcpProxyHandler}. Draining stops accepting at
 * once and lets open connections finish, up to a deadline.
 */
import * as net from 'net';
import { AccessLogHook, Counter, Http1Listener, ProxyStats } from '../http';
import type { HttpConnectionManager, HttpFilter, TcpProxy } from '../../xds/resources';
import { HttpFilterChain } from '../filters';
import { HttpRouter } from './http-router';
import { Http2Listener, sniffHttpVersion } from '../http2';
import { TcpProxyHandler } from './tcp-proxy-handler';
import { CredentialChain, DownstreamTls, DownstreamTlsProps, GatewayTlsTerminator } from '../tls';
import { SniListenerPlan, SniPassthrough } from './sni-listener';
import type { UpstreamCluster } from './upstream-cluster';

export type ListenerKind = 'http' | 'tcp';

export interface BoundListenerProps {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly direction: 'INBOUND' | 'OUTBOUND' | 'UNSPECIFIED';
  readonly clusters: ReadonlyMap<string, UpstreamCluster>;
  readonly hcm?: HttpConnectionManager;
  readonly tcp?: TcpProxy;
  /** Called for each finished HTTP exchange. */
  readonly accessLog?: AccessLogHook;
  /** Terminate TLS (STRICT: only mTLS; PERMISSIVE: mTLS or plaintext). @default none: plaintext */
  readonly tls?: DownstreamTlsProps;
  /** A gateway listener whose chains differ by SNI (credentialName termination, or passthrough). @default none */
  readonly sni?: SniListenerPlan;
}

export class BoundListener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly kind: ListenerKind;
  readonly direction: BoundListenerProps['direction'];
  readonly statPrefix: string;
  readonly router: HttpRouter | null = null;
  readonly http: Http1Listener | null = null;
  /** HTTP/2 (h2c) beside `http`, unless the connection manager's codec is HTTP1. */
  readonly http2: Http2Listener | null = null;
  private codec: HttpConnectionManager['codec'] = 'AUTO';
  readonly tcp: TcpProxyHandler | null = null;
  /** TLS termination mode, or undefined for a plaintext listener. */
  readonly tlsMode: DownstreamTlsProps['mode'] | undefined;
  private readonly tls: DownstreamTls | GatewayTlsTerminator | undefined;
  private readonly passthrough: SniPassthrough | undefined;
  /** The SNI chains this listener was built for ('' for none): a change rebuilds it. */
  readonly sniFingerprint: string;
  /** The certificates of its TLS-terminating SNI chains (gateway credentials). */
  readonly credentials: readonly CredentialChain[];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private accepting = false;
  private httpFilters: readonly HttpFilter[] | null = null;

  constructor(props: BoundListenerProps) {
    this.name = props.name;
    this.address = props.address;
    this.port = props.port;
    this.direction = props.direction;
    this.tlsMode = props.tls?.mode;
    if (props.hcm !== undefined) {
      const hcm = props.hcm;
      this.kind = 'http';
      this.statPrefix = hcm.statPrefix || props.name;
      this.router = new HttpRouter(props.clusters);
      this.http = new Http1Listener({
        route: this.router.route,
        stats: new ProxyStats(),
        ...(props.accessLog !== undefined ? { accessLog: props.accessLog } : {}),
        generateRequestId: hcm.generateRequestId,
        ...(hcm.idleTimeoutMs > 0 ? { idleTimeoutMs: hcm.idleTimeoutMs } : {}),
      });
      this.codec = hcm.codec;
      if (hcm.codec !== 'HTTP1') this.http2 = Http2Listener.beside(this.http);
    } else {
      this.kind = 'tcp';
      const tcp = props.tcp as TcpProxy;
      this.statPrefix = tcp.statPrefix || props.name;
      this.tcp = new TcpProxyHandler(tcp, props.clusters);
    }
    const sni = props.sni;
    this.sniFingerprint = sni?.fingerprint ?? '';
    this.credentials = sni?.kind === 'terminate' ? sni.chains : [];
    this.passthrough = sni?.kind === 'passthrough' ? new SniPassthrough(sni.chains, props.clusters) : undefined;
    this.tls = props.tls !== undefined ? new DownstreamTls({ ...props.tls, forwardClientCert: this.kind === 'http' })
      : sni?.kind === 'terminate' ? new GatewayTlsTerminator(sni.chains) : undefined;
    this.server = net.createServer({ noDelay: true, allowHalfOpen: this.kind === 'http' }, (socket) => this.accept(socket));
  }

  /**
   * Applies the connection manager's security filters (jwt_authn, RBAC) to the
   * router, recompiled only when the filter list changed. A chain that cannot
   * be built refuses every request (fail closed).
   */
  setHttpFilters(filters: readonly HttpFilter[]): void {
    const router = this.router;
    if (router === null || filters === this.httpFilters) return;
    this.httpFilters = filters;
    const facts = { destinationIp: this.boundAddress?.address ?? this.address, destinationPort: this.boundAddress?.port ?? this.port };
    try {
      router.filters = HttpFilterChain.compile(filters, facts);
    } catch (e) {
      router.filters = HttpFilterChain.refusing(e instanceof Error ? e.message : String(e));
    }
  }

  /** Binds the socket (port 0 picks one). */
  listen(): Promise<net.AddressInfo> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.port, host: this.address, exclusive: false }, () => {
        server.off('error', reject);
        this.accepting = true;
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  get boundAddress(): net.AddressInfo | null {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a : null;
  }

  /** Open downstream connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (this.tls !== undefined) {
      socket.on('error', () => socket.destroy());
      this.tls.accept(socket, (serve, mutualTls) => {
        this.serve(serve);
        // The HTTP engine reads a plaintext socket as it flows (tcp_proxy resumes it once connected upstream).
        if (!mutualTls && this.http !== null) serve.resume();
      });
      return;
    }
    this.serve(socket);
  }

  private serve(socket: net.Socket): void {
    const h1 = this.http;
    const h2 = this.http2;
    if (h1 !== null && h2 !== null) {
      // Protocol detection once per connection: the HTTP/2 preface, else HTTP/1.
      if (this.codec === 'HTTP2') h2.handleConnection(socket);
      else sniffHttpVersion(socket, (s) => h1.handleConnection(s), (s) => h2.handleConnection(s));
    } else if (h1 !== null) h1.handleConnection(socket);
    else if (this.passthrough !== undefined) this.passthrough.handle(socket);
    else (this.tcp as TcpProxyHandler).handle(socket);
  }

  /** Stops accepting and resolves once the listening socket is closed (open connections go on). */
  stopAccepting(): Promise<void> {
    this.accepting = false;
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Whether nothing is in flight: no connection, or (HTTP) only idle keep-alive connections. */
  get quiet(): boolean {
    if (this.sockets.size === 0) return true;
    return this.http !== null && this.http.stats.counters[Counter.downstream_rq_active] === 0;
  }

  /**
   * Drains: stops accepting; requests in flight finish (up to the deadline),
   * then idle keep-alive connections are closed; resolves when none is left.
   */
  async drain(deadlineMs: number): Promise<void> {
    const closed = this.stopAccepting();
    const end = Date.now() + deadlineMs;
    while (!this.quiet && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await this.forceClose();
    await closed;
  }

  /** Closes every connection now. */
  async forceClose(): Promise<void> {
    this.accepting = false;
    if (this.http !== null) await this.http.close();
    if (this.http2 !== null) await this.http2.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
