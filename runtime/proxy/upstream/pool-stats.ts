/**
 * Per-pool counters (Envoy's `cluster.<name>.upstream_*` names), kept in one
 * typed array so the hot path only increments numbers. Rendering to text happens
 * on scrape, by whoever aggregates pools into a cluster.
 */
export const PoolCounter = {
  cx_total: 0,
  cx_active: 1,
  cx_connect_fail: 2,
  cx_connect_timeout: 3,
  cx_destroy_remote: 4,
  cx_destroy_local: 5,
  cx_idle_timeout: 6,
  rq_total: 7,
  rq_active: 8,
  rq_pending_total: 9,
  rq_pending_active: 10,
  rq_pending_overflow: 11,
  rq_reused: 12,
} as const;
export type PoolCounterName = keyof typeof PoolCounter;
export const POOL_COUNTER_NAMES = Object.keys(PoolCounter) as PoolCounterName[];

/** Gauges among the counters (rendered as `gauge`, not summed as totals). */
export const POOL_GAUGES: ReadonlySet<PoolCounterName> = new Set<PoolCounterName>(['cx_active', 'rq_active', 'rq_pending_active']);

export function newPoolStats(): Float64Array {
  return new Float64Array(POOL_COUNTER_NAMES.length);
}
