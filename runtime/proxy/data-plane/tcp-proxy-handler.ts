/**
 * The tcp_proxy network filter: each accepted connection goes to a host of the
 * filter's cluster (or of one of its weighted clusters), with up to
 * `max_connect_attempts` connection attempts, and bytes flow both ways until
 * either side closes or the idle timeout passes. Connections count against the
 * cluster's max_connections circuit breaker.
 */
import * as net from 'net';
import type { TcpProxy } from '../../xds/resources';
import type { UpstreamCluster } from './upstream-cluster';

export class TcpProxyHandler {
  /** Replaced on LDS updates; connections keep the cluster they were given. */
  config: TcpProxy;

  constructor(config: TcpProxy, private readonly clusters: ReadonlyMap<string, UpstreamCluster>) {
    this.config = config;
  }

  private pickClusterName(): string {
    const choice = this.config.cluster;
    if (choice.kind === 'cluster') return choice.name;
    let x = Math.random() * choice.totalWeight;
    for (const c of choice.clusters) {
      x -= c.weight;
      if (x < 0) return c.name;
    }
    return choice.clusters[choice.clusters.length - 1]?.name ?? '';
  }

  handle(downstream: net.Socket): void {
    downstream.on('error', () => undefined);
    const cluster = this.clusters.get(this.pickClusterName());
    if (cluster === undefined || cluster.closed) {
      downstream.destroy();
      return;
    }
    const idle = this.config.idleTimeoutMs;
    if (idle > 0) {
      downstream.setTimeout(idle);
      downstream.on('timeout', () => downstream.destroy());
    }
    downstream.pause();
    this.connect(downstream, cluster, Math.max(1, this.config.maxConnectAttempts));
  }

  private connect(downstream: net.Socket, cluster: UpstreamCluster, attemptsLeft: number): void {
    if (downstream.destroyed) return;
    const state = cluster.state;
    const host = state.chooseHost(this.config.hashBySourceIp ? {} : undefined);
    const cb = state.circuitBreakers.default;
    if (host === undefined || !cb.tryAcquireConnection()) {
      downstream.destroy();
      return;
    }
    const tls = cluster.tlsConnector;
    const upstream = tls === undefined ? net.connect({ host: host.address, port: host.port, noDelay: true }) : tls.connect(host.address, host.port);
    const timeout = cluster.state.cluster.connectTimeoutMs;
    if (timeout > 0) upstream.setTimeout(timeout);
    let connected = false;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      cb.releaseConnection();
      if (connected) state.onConnectionClose(host);
    };
    const failed = (): void => {
      release();
      if (connected) {
        downstream.destroy();
        return;
      }
      state.onLocalOriginFailure(host, 'connect-failure');
      if (attemptsLeft > 1) this.connect(downstream, cluster, attemptsLeft - 1);
      else downstream.destroy();
    };
    upstream.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      connected = true;
      upstream.setTimeout(0);
      state.onConnectionOpen(host);
      upstream.pipe(downstream);
      downstream.pipe(upstream);
      downstream.resume();
      downstream.once('close', () => upstream.destroy());
      upstream.once('close', () => {
        release();
        downstream.end();
      });
    });
    upstream.on('timeout', () => {
      if (!connected) upstream.destroy();
    });
    upstream.on('error', () => undefined);
    upstream.once('close', () => {
      if (!connected) failed();
    });
  }
}
