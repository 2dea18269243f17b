import { ConnectionPool } from './connection-pool';
import { LoadBalancer } from './load-balancer';
import { OutlierDetection } from './outlier-detection';
import { ClientTls } from './tls-mode';

/** Policies for one port of a destination; they override the destination-wide ones. */
export interface PortTrafficPolicyOptions {
  /** The destination port these settings apply to. */
  readonly port: number;
  /** @default - the destination-wide load balancer */
  readonly loadBalancer?: LoadBalancer;
  /** @default - the destination-wide connection pool */
  readonly connectionPool?: ConnectionPool;
  /** @default - the destination-wide outlier detection */
  readonly outlierDetection?: OutlierDetection;
  /** @default - the destination-wide TLS */
  readonly tls?: ClientTls;
}

/**
 * Policies applied to traffic for a destination after routing
 * (Istio's `TrafficPolicy`): load balancing, circuit breaking, outlier detection, TLS.
 */
export interface TrafficPolicyOptions {
  /** @default - Istio's default (LEAST_REQUEST) */
  readonly loadBalancer?: LoadBalancer;
  /** @default - Istio's defaults (effectively unlimited) */
  readonly connectionPool?: ConnectionPool;
  /** @default - no outlier detection */
  readonly outlierDetection?: OutlierDetection;
  /** @default - automatic mTLS inside the mesh */
  readonly tls?: ClientTls;
  /** Per-port overrides. @default - none */
  readonly portLevel?: readonly PortTrafficPolicyOptions[];
}
