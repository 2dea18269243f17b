/**
 * Envoy's per-cluster, per-priority circuit breakers: counters of open
 * connections, pending requests, active requests and active retries against
 * `max_connections`, `max_pending_requests`, `max_requests`, `max_retries`.
 *
 * The engine calls `tryAcquire…` before the action and `release…` when it ends.
 * A refused acquire counts the matching overflow stat; for pending requests,
 * requests and retries the engine answers 503 with response flag UO
 * ({@link OVERFLOW_FAILURE}). A refused connection is not a failure by itself:
 * the request waits in the pending queue (Envoy's behaviour), which the pool
 * limits adapter ({@link CircuitBreaker.poolLimits}) expresses.
 */
import type { CircuitBreakerThresholds } from '../../xds/resources';
import type { ProxyFailure } from '../http/response-flags';
import type { PoolLimits } from '../upstream/pool-limits';
import type { CircuitBreakerGauges, ClusterStats } from './cluster-stats';

export type RoutingPriority = 'default' | 'high';

/** What the engine answers when an acquire is refused: 503, flag UO. */
export const OVERFLOW_FAILURE: ProxyFailure = 'upstream-overflow';

export class CircuitBreaker {
  thresholds: CircuitBreakerThresholds;
  connections = 0;
  pendingRequests = 0;
  requests = 0;
  retries = 0;
  private readonly stats: ClusterStats;
  private readonly gauges: CircuitBreakerGauges;
  /** Adapter for the upstream connection pools (`PoolLimits`). */
  readonly poolLimits: PoolLimits;

  constructor(thresholds: CircuitBreakerThresholds, stats: ClusterStats, priority: RoutingPriority) {
    this.thresholds = thresholds;
    this.stats = stats;
    this.gauges = stats.circuit_breakers[priority];
    const self = this;
    this.poolLimits = {
      tryOpenConnection: () => self.tryAcquireConnection(),
      connectionClosed: () => self.releaseConnection(),
      tryQueueRequest: () => self.tryAcquirePendingRequest(),
      requestDequeued: () => self.releasePendingRequest(),
    };
    this.refreshGauges();
  }

  /** New thresholds (CDS update); counts in flight are kept. */
  setThresholds(thresholds: CircuitBreakerThresholds): void {
    this.thresholds = thresholds;
    this.refreshGauges();
  }

  /** Opens a connection slot; false (and `upstream_cx_overflow`+1) at `max_connections`. */
  tryAcquireConnection(): boolean {
    if (this.connections >= this.thresholds.maxConnections) {
      this.stats.upstream_cx_overflow++;
      return false;
    }
    this.connections++;
    this.refreshGauges();
    return true;
  }

  releaseConnection(): void {
    if (this.connections > 0) this.connections--;
    this.refreshGauges();
  }

  /** Queues a request waiting for a connection; false (and `upstream_rq_pending_overflow`+1) at `max_pending_requests`. */
  tryAcquirePendingRequest(): boolean {
    if (this.pendingRequests >= this.thresholds.maxPendingRequests) {
      this.stats.upstream_rq_pending_overflow++;
      return false;
    }
    this.pendingRequests++;
    this.refreshGauges();
    return true;
  }

  releasePendingRequest(): void {
    if (this.pendingRequests > 0) this.pendingRequests--;
    this.refreshGauges();
  }

  /**
   * Starts a request; false at `max_requests`. Envoy counts this overflow in
   * `upstream_rq_pending_overflow` as well.
   */
  tryAcquireRequest(): boolean {
    if (this.requests >= this.thresholds.maxRequests) {
      this.stats.upstream_rq_pending_overflow++;
      return false;
    }
    this.requests++;
    this.refreshGauges();
    return true;
  }

  releaseRequest(): void {
    if (this.requests > 0) this.requests--;
    this.refreshGauges();
  }

  /** Starts a retry; false (and `upstream_rq_retry_overflow`+1) at `max_retries`. */
  tryAcquireRetry(): boolean {
    if (this.retries >= this.thresholds.maxRetries) {
      this.stats.upstream_rq_retry_overflow++;
      return false;
    }
    this.retries++;
    this.refreshGauges();
    return true;
  }

  releaseRetry(): void {
    if (this.retries > 0) this.retries--;
    this.refreshGauges();
  }

  private refreshGauges(): void {
    const t = this.thresholds;
    const g = this.gauges;
    g.remaining_cx = Math.max(0, t.maxConnections - this.connections);
    g.remaining_pending = Math.max(0, t.maxPendingRequests - this.pendingRequests);
    g.remaining_rq = Math.max(0, t.maxRequests - this.requests);
    g.remaining_retries = Math.max(0, t.maxRetries - this.retries);
    g.cx_open = this.connections >= t.maxConnections ? 1 : 0;
    g.rq_pending_open = this.pendingRequests >= t.maxPendingRequests ? 1 : 0;
    g.rq_open = this.requests >= t.maxRequests ? 1 : 0;
    g.rq_retry_open = this.retries >= t.maxRetries ? 1 : 0;
  }
}

/** The two priorities' breakers of one cluster. */
export class CircuitBreakers {
  readonly default: CircuitBreaker;
  readonly high: CircuitBreaker;

  constructor(thresholds: { readonly default: CircuitBreakerThresholds; readonly high: CircuitBreakerThresholds }, stats: ClusterStats) {
    this.default = new CircuitBreaker(thresholds.default, stats, 'default');
    this.high = new CircuitBreaker(thresholds.high, stats, 'high');
  }

  /** The breaker of a route's priority. */
  of(priority: RoutingPriority): CircuitBreaker {
    return priority === 'high' ? this.high : this.default;
  }

  setThresholds(thresholds: { readonly default: CircuitBreakerThresholds; readonly high: CircuitBreakerThresholds }): void {
    this.default.setThresholds(thresholds.default);
    this.high.setThresholds(thresholds.high);
  }
}
