/**
 * One upstream cluster as the data plane uses it: the cluster stage's
 * {@link ClusterState} (hosts, balancer, circuit breakers, outlier detection)
 * plus one keep-alive {@link EndpointPool} per host, all sharing the cluster's
 * default-priority circuit breaker as their pool limits.
 */
import { ClusterState, Host } from '../cluster';
import type { Cluster, ClusterLoadAssignment } from '../../xds/resources';
import { EndpointPool } from '../upstream';
import { H2EndpointPool } from '../upstream-h2';
import type { TlsIdentitySource } from '../identity';
import { UpstreamTlsConnector, upstreamTlsConnector } from '../tls';

/** Refuses every connection, for a TLS cluster this proxy cannot serve (reported as a connect failure). */
function failingConnector(reason: Error): UpstreamTlsConnector {
  return {
    connect: () => {
      const socket = new (require('net') as typeof import('net')).Socket();
      process.nextTick(() => socket.destroy(reason));
      return socket;
    },
  };
}

export class UpstreamCluster {
  readonly state: ClusterState;
  private readonly pools = new Map<string, EndpointPool>();
  private appliedCluster: Cluster;
  private appliedAssignment: ClusterLoadAssignment | undefined;
  private draining = false;
  private tls: UpstreamTlsConnector | undefined;

  constructor(cluster: Cluster, assignment: ClusterLoadAssignment | undefined, private readonly identity?: TlsIdentitySource) {
    this.appliedCluster = cluster;
    this.appliedAssignment = assignment;
    this.state = ClusterState.create(cluster, assignment);
    this.tls = this.connectorFor(cluster);
  }

  private connectorFor(cluster: Cluster): UpstreamTlsConnector | undefined {
    const ts = cluster.transportSocket;
    if (ts === undefined || ts.kind !== 'upstreamTls') return undefined;
    const c = upstreamTlsConnector(ts, this.identity);
    return c instanceof Error ? failingConnector(new Error(`cluster ${cluster.name}: ${c.message}`)) : c;
  }

  /** Whether connections of this cluster are TLS. */
  get originatesTls(): boolean {
    return this.tls !== undefined;
  }

  /** Opens this cluster's TLS connections (they emit 'secureConnect'); undefined for plaintext. */
  get tlsConnector(): UpstreamTlsConnector | undefined {
    return this.tls;
  }

  get name(): string {
    return this.appliedCluster.name;
  }

  /** Whether the cluster was removed (its pools refuse new requests). */
  get closed(): boolean {
    return this.draining;
  }

  /**
   * The pool of `host`, created on first use: HTTP/2 sessions when the
   * cluster's protocol options say HTTP/2 (or the downstream protocol, for a
   * request that came in over HTTP/2), else HTTP/1.1 keep-alive connections.
   */
  poolFor(host: Host, downstreamHttp2 = false): EndpointPool {
    const options = this.appliedCluster.upstreamHttp;
    const h2 = options.protocol === 'http2' || (downstreamHttp2 && options.protocol === 'downstream');
    const key = h2 ? `h2|${host.key}` : host.key;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const props = {
        connectTimeoutMs: this.appliedCluster.connectTimeoutMs,
        limits: this.state.circuitBreakers.default.poolLimits,
        ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        ...(this.tls !== undefined ? { tls: this.tls } : {}),
      };
      pool = h2
        ? new H2EndpointPool({ host: host.address, port: host.port }, { ...props, ...(options.maxConcurrentStreams !== undefined ? { maxConcurrentStreams: options.maxConcurrentStreams } : {}) })
        : new EndpointPool({ host: host.address, port: host.port }, props);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Every pool, for stats. */
  allPools(): IterableIterator<EndpointPool> {
    return this.pools.values();
  }

  /**
   * Applies a CDS and/or EDS change in place (hosts that stay keep their state
   * and pools); pools of hosts that left close once their requests finish.
   */
  update(cluster: Cluster, assignment: ClusterLoadAssignment | undefined): void {
    if (cluster !== this.appliedCluster) {
      const tlsChanged = JSON.stringify(cluster.transportSocket) !== JSON.stringify(this.appliedCluster.transportSocket);
      this.appliedCluster = cluster;
      this.state.updateCluster(cluster);
      if (tlsChanged) {
        // New connections use the new transport; open ones finish their requests.
        this.tls = this.connectorFor(cluster);
        for (const pool of this.pools.values()) pool.close();
        this.pools.clear();
      }
    }
    if (assignment !== this.appliedAssignment) {
      this.appliedAssignment = assignment;
      if (assignment !== undefined) this.state.updateAssignment(assignment);
    }
    for (const [key, pool] of this.pools) {
      if (this.state.host(key.startsWith('h2|') ? key.slice(3) : key) === undefined) {
        pool.close();
        this.pools.delete(key);
      }
    }
  }

  /** The cluster was removed: idle connections close, busy ones finish, new requests are refused. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const pool of this.pools.values()) pool.close();
    this.state.close();
  }
}
