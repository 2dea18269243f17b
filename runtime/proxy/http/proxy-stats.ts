import { POOL_COUNTER_NAMES, POOL_GAUGES } from '../upstream/pool-stats';
import type { EndpointPool } from '../upstream/endpoint-pool';
import { ResponseFlag, ResponseFlagName } from './response-flags';

/**
 * Listener-level counters (Envoy's `http.<stat_prefix>.downstream_*` names) in a
 * typed array, and a request-duration histogram with Envoy's default buckets. The
 * hot path only increments numbers; {@link renderPrometheus} builds text on scrape.
 */
export const Counter = {
  downstream_cx_total: 0,
  downstream_cx_active: 1,
  downstream_cx_protocol_error: 2,
  downstream_cx_idle_timeout: 3,
  downstream_cx_destroy_remote_active_rq: 4,
  downstream_rq_total: 5,
  downstream_rq_active: 6,
  downstream_rq_1xx: 7,
  downstream_rq_2xx: 8,
  downstream_rq_3xx: 9,
  downstream_rq_4xx: 10,
  downstream_rq_5xx: 11,
  downstream_rq_completed: 12,
  downstream_rq_header_timeout: 13,
  downstream_rq_too_large_headers: 14,
  downstream_rq_timeout: 15,
  downstream_rq_rx_reset: 16,
  downstream_cx_rx_bytes_total: 17,
  downstream_cx_tx_bytes_total: 18,
  upstream_rq_retry: 19,
} as const;
export type CounterName = keyof typeof Counter;
const COUNTER_NAMES = Object.keys(Counter) as CounterName[];
const GAUGES: ReadonlySet<CounterName> = new Set<CounterName>(['downstream_cx_active', 'downstream_rq_active']);

/** Envoy's default histogram bucket bounds, in ms. */
export const DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

const FLAG_NAMES = Object.keys(ResponseFlag) as ResponseFlagName[];

export class ProxyStats {
  /** Counters indexed by {@link Counter}. */
  readonly counters = new Float64Array(COUNTER_NAMES.length);
  /** Response flag occurrences, indexed by flag bit position. */
  readonly flags = new Float64Array(FLAG_NAMES.length);
  /** Non-cumulative bucket counts; the last slot counts durations above every bound. */
  readonly durationBuckets = new Float64Array(DURATION_BUCKETS_MS.length + 1);
  durationSumMs = 0;
  durationCount = 0;

  /** Records one finished exchange. */
  recordExchange(status: number, flags: number, durationMs: number): void {
    const c = this.counters;
    c[Counter.downstream_rq_completed]++;
    if (status >= 100 && status < 600) c[Counter.downstream_rq_1xx + ((status / 100) | 0) - 1]++;
    if (flags !== 0) {
      for (let i = 0; i < FLAG_NAMES.length; i++) if ((flags & (1 << i)) !== 0) this.flags[i]++;
    }
    const b = DURATION_BUCKETS_MS;
    let i = 0;
    while (i < b.length && durationMs > b[i]) i++;
    this.durationBuckets[i]++;
    this.durationSumMs += durationMs;
    this.durationCount++;
  }

  get(name: CounterName): number {
    return this.counters[Counter[name]];
  }

  flagCount(name: ResponseFlagName): number {
    return this.flags[FLAG_NAMES.indexOf(name)];
  }

  /**
   * Prometheus text exposition (Envoy-style names under `envoy_http_*` and
   * `envoy_cluster_*`), built only when scraped.
   */
  renderPrometheus(statPrefix: string, pools: Iterable<{ cluster: string; pool: EndpointPool }> = []): string {
    const out: string[] = [];
    const label = `envoy_http_conn_manager_prefix="${statPrefix}"`;
    COUNTER_NAMES.forEach((name, i) => {
      const type = GAUGES.has(name) ? 'gauge' : 'counter';
      out.push(`# TYPE envoy_http_${name} ${type}`, `envoy_http_${name}{${label}} ${this.counters[i]}`);
    });
    out.push('# TYPE envoy_http_downstream_rq_response_flags counter');
    FLAG_NAMES.forEach((name, i) => {
      out.push(`envoy_http_downstream_rq_response_flags{${label},response_flags="${name}"} ${this.flags[i]}`);
    });
    out.push('# TYPE envoy_http_downstream_rq_time histogram');
    let cumulative = 0;
    DURATION_BUCKETS_MS.forEach((le, i) => {
      cumulative += this.durationBuckets[i];
      out.push(`envoy_http_downstream_rq_time_bucket{${label},le="${le}"} ${cumulative}`);
    });
    out.push(`envoy_http_downstream_rq_time_bucket{${label},le="+Inf"} ${this.durationCount}`);
    out.push(`envoy_http_downstream_rq_time_sum{${label}} ${this.durationSumMs}`);
    out.push(`envoy_http_downstream_rq_time_count{${label}} ${this.durationCount}`);
    const sums = new Map<string, Float64Array>();
    for (const { cluster, pool } of pools) {
      const acc = sums.get(cluster) ?? new Float64Array(POOL_COUNTER_NAMES.length);
      for (let i = 0; i < acc.length; i++) acc[i] += pool.stats[i];
      sums.set(cluster, acc);
    }
    POOL_COUNTER_NAMES.forEach((name, i) => {
      if (sums.size === 0) return;
      out.push(`# TYPE envoy_cluster_upstream_${name} ${POOL_GAUGES.has(name) ? 'gauge' : 'counter'}`);
      for (const [cluster, acc] of sums) {
        out.push(`envoy_cluster_upstream_${name}{envoy_cluster_name="${cluster}"} ${acc[i]}`);
      }
    });
    return out.join('\n') + '\n';
  }
}
