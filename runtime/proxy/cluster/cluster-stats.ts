/**
 * Per-cluster counters and gauges as plain numbers, named as Envoy names them
 * under `cluster.<name>.` (`upstream_rq_total`, `outlier_detection.ejections_active`, ...).
 */

export interface OutlierStats {
  ejections_active: number;
  ejections_total: number;
  ejections_overflow: number;
  ejections_enforced_total: number;
  ejections_detected_consecutive_5xx: number;
  ejections_enforced_consecutive_5xx: number;
  ejections_detected_consecutive_gateway_failure: number;
  ejections_enforced_consecutive_gateway_failure: number;
  ejections_detected_consecutive_local_origin_failure: number;
  ejections_enforced_consecutive_local_origin_failure: number;
  ejections_detected_success_rate: number;
  ejections_enforced_success_rate: number;
  ejections_detected_failure_percentage: number;
  ejections_enforced_failure_percentage: number;
}

/** Gauges of one priority's circuit breakers (`circuit_breakers.<default|high>.*`). */
export interface CircuitBreakerGauges {
  cx_open: number;
  cx_pool_open: number;
  rq_pending_open: number;
  rq_open: number;
  rq_retry_open: number;
  remaining_cx: number;
  remaining_pending: number;
  remaining_rq: number;
  remaining_retries: number;
}

export interface ClusterStats {
  upstream_cx_total: number;
  upstream_cx_active: number;
  upstream_cx_connect_fail: number;
  upstream_cx_connect_timeout: number;
  upstream_cx_overflow: number;
  upstream_rq_total: number;
  upstream_rq_active: number;
  upstream_rq_pending_total: number;
  upstream_rq_pending_active: number;
  upstream_rq_pending_overflow: number;
  upstream_rq_completed: number;
  upstream_rq_1xx: number;
  upstream_rq_2xx: number;
  upstream_rq_3xx: number;
  upstream_rq_4xx: number;
  upstream_rq_5xx: number;
  upstream_rq_timeout: number;
  upstream_rq_retry: number;
  upstream_rq_retry_success: number;
  upstream_rq_retry_overflow: number;
  upstream_cx_destroy_with_active_rq: number;
  lb_healthy_panic: number;
  /** Requests that found no host to send to (UH). */
  upstream_cx_none_healthy: number;
  membership_total: number;
  membership_healthy: number;
  membership_degraded: number;
  membership_excluded: number;
  membership_change: number;
  update_success: number;
  readonly outlier_detection: OutlierStats;
  readonly circuit_breakers: { readonly default: CircuitBreakerGauges; readonly high: CircuitBreakerGauges };
}

function gauges(): CircuitBreakerGauges {
  return { cx_open: 0, cx_pool_open: 0, rq_pending_open: 0, rq_open: 0, rq_retry_open: 0, remaining_cx: 0, remaining_pending: 0, remaining_rq: 0, remaining_retries: 0 };
}

/** A zeroed stats block. */
export function newClusterStats(): ClusterStats {
  return {
    upstream_cx_total: 0, upstream_cx_active: 0, upstream_cx_connect_fail: 0, upstream_cx_connect_timeout: 0, upstream_cx_overflow: 0,
    upstream_rq_total: 0, upstream_rq_active: 0, upstream_rq_pending_total: 0, upstream_rq_pending_active: 0, upstream_rq_pending_overflow: 0,
    upstream_rq_completed: 0, upstream_rq_1xx: 0, upstream_rq_2xx: 0, upstream_rq_3xx: 0, upstream_rq_4xx: 0, upstream_rq_5xx: 0,
    upstream_rq_timeout: 0, upstream_rq_retry: 0, upstream_rq_retry_success: 0, upstream_rq_retry_overflow: 0,
    upstream_cx_destroy_with_active_rq: 0, lb_healthy_panic: 0, upstream_cx_none_healthy: 0,
    membership_total: 0, membership_healthy: 0, membership_degraded: 0, membership_excluded: 0, membership_change: 0, update_success: 0,
    outlier_detection: {
      ejections_active: 0, ejections_total: 0, ejections_overflow: 0, ejections_enforced_total: 0,
      ejections_detected_consecutive_5xx: 0, ejections_enforced_consecutive_5xx: 0,
      ejections_detected_consecutive_gateway_failure: 0, ejections_enforced_consecutive_gateway_failure: 0,
      ejections_detected_consecutive_local_origin_failure: 0, ejections_enforced_consecutive_local_origin_failure: 0,
      ejections_detected_success_rate: 0, ejections_enforced_success_rate: 0,
      ejections_detected_failure_percentage: 0, ejections_enforced_failure_percentage: 0,
    },
    circuit_breakers: { default: gauges(), high: gauges() },
  };
}

/** Flattens stats to Envoy's names under `cluster.<name>.` (for `/stats` and Prometheus export). */
export function flattenClusterStats(cluster: string, stats: ClusterStats): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (prefix: string, o: object): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number') out.set(`${prefix}${k}`, v);
      else if (typeof v === 'object' && v !== null) visit(`${prefix}${k}.`, v as object);
    }
  };
  visit(`cluster.${cluster}.`, stats);
  return out;
}
