/**
 * One upstream host of a cluster: what EDS says about it (address, weight,
 * health, locality, priority, labels) and the state the proxy keeps for it
 * (active requests and connections, counters, outlier-detection state). The
 * state survives EDS updates that keep the host (same `address:port`).
 */
import type { Endpoint, HealthStatus, Locality } from '../../xds/resources';

/** How the load balancer treats a host. */
export type HostHealth = 'healthy' | 'degraded' | 'unhealthy';

/** Per-host counters, named as Envoy's `/clusters` prints them. */
export interface HostStats {
  cx_total: number;
  cx_connect_fail: number;
  rq_total: number;
  rq_success: number;
  rq_error: number;
  rq_timeout: number;
}

/** Outlier-detection state of one host (owned by the cluster's `OutlierDetector`). */
export interface HostOutlierState {
  /** Ejected now. */
  ejected: boolean;
  /** When the current ejection began (ms, clock time). */
  ejectedAtMs: number;
  /** Ejection multiplier: +1 per ejection, -1 per interval spent healthy (never below 0). */
  ejectionMultiplier: number;
  /** Total ejections of this host. */
  ejectionsTotal: number;
  consecutive5xx: number;
  consecutiveGatewayFailure: number;
  consecutiveLocalOriginFailure: number;
  /** Responses in the current interval (success-rate / failure-percentage detection). */
  intervalSuccess: number;
  intervalTotal: number;
  intervalLocalSuccess: number;
  intervalLocalTotal: number;
  /** Success rate (0..100) of the last interval, or -1 when not computed. */
  successRate: number;
  localOriginSuccessRate: number;
}

/** `host:port`, IPv6 bracketed (the host's key in a cluster and its `/clusters` name). */
export function hostKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface HostInit {
  readonly address: string;
  readonly port: number;
  /** @default 1 */
  readonly weight?: number;
  /** @default 'UNKNOWN' (healthy) */
  readonly healthStatus?: HealthStatus;
  readonly hostname?: string;
  /** @default empty region/zone/subZone */
  readonly locality?: Locality;
  /** @default 0 */
  readonly priority?: number;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const NO_LOCALITY: Locality = Object.freeze({ region: '', zone: '', subZone: '' });

export class Host {
  /** IP (or DNS name for DNS clusters) and port. */
  readonly address: string;
  readonly port: number;
  /** `address:port`. */
  readonly key: string;
  weight: number;
  healthStatus: HealthStatus;
  hostname: string;
  locality: Locality;
  priority: number;
  labels: Readonly<Record<string, string>>;
  /** Requests in flight to this host (least-request balancing reads it). */
  rqActive = 0;
  /** Open connections to this host. */
  cxActive = 0;
  readonly stats: HostStats = { cx_total: 0, cx_connect_fail: 0, rq_total: 0, rq_success: 0, rq_error: 0, rq_timeout: 0 };
  readonly outlier: HostOutlierState = {
    ejected: false, ejectedAtMs: 0, ejectionMultiplier: 0, ejectionsTotal: 0,
    consecutive5xx: 0, consecutiveGatewayFailure: 0, consecutiveLocalOriginFailure: 0,
    intervalSuccess: 0, intervalTotal: 0, intervalLocalSuccess: 0, intervalLocalTotal: 0,
    successRate: -1, localOriginSuccessRate: -1,
  };

  constructor(init: HostInit) {
    this.address = init.address;
    this.port = init.port;
    this.key = hostKey(init.address, init.port);
    this.weight = init.weight ?? 1;
    this.healthStatus = init.healthStatus ?? 'UNKNOWN';
    this.hostname = init.hostname ?? '';
    this.locality = init.locality ?? NO_LOCALITY;
    this.priority = init.priority ?? 0;
    this.labels = init.labels ?? {};
  }

  /** A host from an EDS endpoint (socket addresses only; pipes are not balanced). */
  static fromEndpoint(e: Endpoint, locality: Locality, priority: number): Host | undefined {
    if (e.address.kind !== 'socket') return undefined;
    return new Host({
      address: e.address.address, port: e.address.port, weight: e.weight, healthStatus: e.healthStatus,
      ...(e.hostname ? { hostname: e.hostname } : {}), locality, priority, labels: e.labels,
    });
  }

  /** Takes the EDS-owned fields of `other` (same key), keeping this host's state. */
  updateFrom(other: Host): void {
    this.weight = other.weight;
    this.healthStatus = other.healthStatus;
    this.hostname = other.hostname;
    this.locality = other.locality;
    this.priority = other.priority;
    this.labels = other.labels;
  }

  /** EDS says the host must not get traffic (UNHEALTHY, DRAINING, TIMEOUT). */
  get failedEdsHealth(): boolean {
    const s = this.healthStatus;
    return s === 'UNHEALTHY' || s === 'DRAINING' || s === 'TIMEOUT';
  }

  /** EDS health DRAINING. */
  get draining(): boolean {
    return this.healthStatus === 'DRAINING';
  }

  /** EDS health DEGRADED. */
  get degraded(): boolean {
    return this.healthStatus === 'DEGRADED';
  }

  /** Health as load balancing sees it: EDS health, then outlier ejection. */
  get health(): HostHealth {
    if (this.failedEdsHealth || this.outlier.ejected) return 'unhealthy';
    return this.degraded ? 'degraded' : 'healthy';
  }

  /** Envoy's `health_flags` text: `healthy`, or flags such as `/failed_outlier_check/failed_eds_health`. */
  healthFlags(): string {
    let flags = '';
    if (this.outlier.ejected) flags += '/failed_outlier_check';
    if (this.failedEdsHealth) flags += '/failed_eds_health';
    if (this.degraded) flags += '/degraded_eds_health';
    if (this.draining) flags += '/eds_status_draining';
    return flags === '' ? 'healthy' : flags;
  }
}
