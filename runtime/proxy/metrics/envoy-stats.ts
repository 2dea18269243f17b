/**
 * Envoy-style stats as a flat name → value map (`cluster.<name>.upstream_rq_total`,
 * `http.<stat_prefix>.downstream_rq_total`, `server.live`, ...): collected on
 * demand from the live objects, summed across workers, and rendered as
 * `/stats` text or as Prometheus `envoy_*` series.
 */
import { ClusterState, flattenClusterStats } from '../cluster';
import { CounterName, ProxyStats, ResponseFlag, ResponseFlagName } from '../http';

export type StatsMap = Record<string, number>;

/** Adds a listener's counters under `http.<statPrefix>.`. */
export function addListenerStats(out: StatsMap, statPrefix: string, stats: ProxyStats): void {
  const names = Object.keys(COUNTER_INDEX) as CounterName[];
  for (const name of names) add(out, `http.${statPrefix}.${name}`, stats.get(name));
  for (const flag of Object.keys(ResponseFlag) as ResponseFlagName[]) {
    const n = stats.flagCount(flag);
    if (n > 0) add(out, `http.${statPrefix}.downstream_rq_response_flags.${flag}`, n);
  }
}

/** Adds a cluster's stats under `cluster.<name>.`. */
export function addClusterStats(out: StatsMap, state: ClusterState): void {
  for (const [k, v] of flattenClusterStats(state.name, state.stats)) add(out, k, v);
}

export function add(out: StatsMap, name: string, value: number): void {
  out[name] = (out[name] ?? 0) + value;
}

/** Sums maps (from several workers). */
export function mergeStats(maps: readonly StatsMap[]): StatsMap {
  const out: StatsMap = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) add(out, k, v);
  return out;
}

/** `/stats`: `name: value` lines in name order. */
export function renderStatsText(stats: StatsMap): string {
  const names = Object.keys(stats).sort();
  return names.map((n) => `${n}: ${stats[n]}`).join('\n') + (names.length > 0 ? '\n' : '');
}

const CLUSTER = /^cluster\.(.+)\.((?:upstream|outlier_detection|circuit_breakers|lb|membership|update)[a-z0-9_.]*)$/;
const HTTP = /^http\.([^.]+)\.(.+)$/;

function metricName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Prometheus text of Envoy's stats (`envoy_cluster_*{cluster_name=...}`, `envoy_http_*{http_conn_manager_prefix=...}`, `envoy_*`). */
export function renderStatsPrometheus(stats: StatsMap): string {
  const byMetric = new Map<string, string[]>();
  for (const name of Object.keys(stats).sort()) {
    const value = stats[name] as number;
    let metric: string;
    let labels = '';
    const c = CLUSTER.exec(name);
    const h = c ? null : HTTP.exec(name);
    if (c) {
      metric = `envoy_cluster_${metricName(c[2] as string)}`;
      labels = `{cluster_name="${c[1]}"}`;
    } else if (h) {
      metric = `envoy_http_${metricName(h[2] as string)}`;
      labels = `{http_conn_manager_prefix="${h[1]}"}`;
    } else {
      metric = `envoy_${metricName(name)}`;
    }
    const lines = byMetric.get(metric) ?? [];
    lines.push(`${metric}${labels} ${value}`);
    byMetric.set(metric, lines);
  }
  const out: string[] = [];
  for (const [metric, lines] of byMetric) out.push(`# TYPE ${metric} ${/_active$|remaining|_open$|membership_(total|healthy|degraded|excluded)|live|uptime/.test(metric) ? 'gauge' : 'counter'}`, ...lines);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

const COUNTER_INDEX: Record<CounterName, true> = {
  downstream_cx_total: true, downstream_cx_active: true, downstream_cx_protocol_error: true, downstream_cx_idle_timeout: true,
  downstream_cx_destroy_remote_active_rq: true, downstream_rq_total: true, downstream_rq_active: true,
  downstream_rq_1xx: true, downstream_rq_2xx: true, downstream_rq_3xx: true, downstream_rq_4xx: true, downstream_rq_5xx: true,
  downstream_rq_completed: true, downstream_rq_header_timeout: true, downstream_rq_too_large_headers: true,
  downstream_rq_timeout: true, downstream_rq_rx_reset: true, downstream_cx_rx_bytes_total: true, downstream_cx_tx_bytes_total: true,
  upstream_rq_retry: true,
};
