/**
 * One upstream cluster as the data plane uses it: the cluster stage's
 * {@link ClusterState} (hosts, balancer, circuit breakers, outlier detection)
 * plus one keep-alive {@link EndpointPool} per host, all sharing the cluster's
 * default-priority circuit breaker as their pool limits.
 */
import { ClusterState, Host } from '../cluster';
import type { Cluster, ClusterLoadAssignment } from '../../xds/resources';
import { EndpointPool } from '../upstream';
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

  /** The pool of `host`, created on first use. */
  poolFor(host: Host): EndpointPool {
    let pool = this.pools.get(host.key);
    if (pool === undefined) {
      pool = new EndpointPool({ host: host.address, port: host.port }, {
        connectTimeoutMs: this.appliedCluster.connectTimeoutMs,
        limits: this.state.circuitBreakers.default.poolLimits,
        ...(this.tls !== undefined ? { tls: this.tls } : {}),
      });
      this.pools.set(host.key, pool);
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
      if (this.state.host(key) === undefined) {
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
