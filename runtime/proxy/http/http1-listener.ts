import * as net from 'net';
import { performance } from 'perf_hooks';
import type { AccessLogHook } from './access-log';
import { DownstreamConnection } from './downstream-connection';
import { Http1ListenerProps, resolveListenerOptions, ResolvedListenerOptions } from './listener-options';
import { Counter, ProxyStats } from './proxy-stats';
import { RequestIdGenerator } from './request-id';
import type { Router } from './route-decision';
import { listenOn } from './listen-on';

/**
 * The listener stage for HTTP/1.x: accepts connections (its own server, or sockets
 * handed over by another listener) and runs each through a
 * {@link DownstreamConnection}. One timer checks every connection's timeouts.
 */
export class Http1Listener {
  readonly route: Router;
  readonly stats: ProxyStats;
  readonly accessLog: AccessLogHook | undefined;
  readonly options: ResolvedListenerOptions;
  readonly requestIds = new RequestIdGenerator();
  private readonly connections = new Set<DownstreamConnection>();
  private server: net.Server | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(props: Http1ListenerProps) {
    this.route = props.route;
    this.stats = props.stats ?? new ProxyStats();
    this.accessLog = props.accessLog;
    this.options = resolveListenerOptions(props);
  }

  /** Listens on `host:port` (port 0 picks a free one) and resolves with the bound address. */
  listen(port: number, host = '127.0.0.1'): Promise<net.AddressInfo> {
    const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.handleConnection(socket));
    this.server = server;
    return listenOn(server, port, host);
  }

  /**
   * Serves an accepted socket (from this listener's server or another acceptor).
   * Create it with `allowHalfOpen: true` so a client that half-closes after its
   * request still gets the response.
   */
  handleConnection(socket: net.Socket): void {
    const conn = new DownstreamConnection(this, socket);
    this.connections.add(conn);
    const c = this.stats.counters;
    c[Counter.downstream_cx_total]++;
    c[Counter.downstream_cx_active]++;
    if (this.timer === null) {
      this.timer = setInterval(this.tick.bind(this), this.options.timerResolutionMs);
      this.timer.unref();
    }
  }

  /** Open downstream connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, closes every connection, and resolves when the server is closed. */
  close(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const c of this.connections) c.destroy();
    const server = this.server;
    this.server = null;
    if (server === null) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** @internal */
  forget(conn: DownstreamConnection): void {
    this.connections.delete(conn);
  }

  private tick(): void {
    const now = performance.now();
    for (const c of this.connections) c.checkTimers(now);
  }
}
