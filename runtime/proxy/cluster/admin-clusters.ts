/**
 * The `/clusters` admin page in Envoy's text format: per cluster its settings
 * (`name::default_priority::max_connections::1024`, outlier averages, ...) and
 * per host `name::host:port::stat::value` lines (cx_active, rq_total,
 * health_flags, weight, locality, priority, success_rate, ...).
 */
import type { CircuitBreakerThresholds } from '../../xds/resources';
import type { ClusterState } from './cluster-state';

function thresholds(lines: string[], name: string, priority: string, t: CircuitBreakerThresholds): void {
  lines.push(`${name}::${priority}_priority::max_connections::${t.maxConnections}`);
  lines.push(`${name}::${priority}_priority::max_pending_requests::${t.maxPendingRequests}`);
  lines.push(`${name}::${priority}_priority::max_requests::${t.maxRequests}`);
  lines.push(`${name}::${priority}_priority::max_retries::${t.maxRetries}`);
}

function rate(value: number): string {
  return value < 0 ? '-1' : String(Math.round(value * 100) / 100);
}

/** Renders one cluster's lines. */
export function renderClusterLines(state: ClusterState): string[] {
  const name = state.name;
  const lines: string[] = [];
  lines.push(`${name}::observability_name::${name}`);
  const od = state.outlierDetector;
  if (od) {
    lines.push(`${name}::outlier::success_rate_average::${rate(od.successRateAverage)}`);
    lines.push(`${name}::outlier::success_rate_ejection_threshold::${rate(od.successRateEjectionThreshold)}`);
    lines.push(`${name}::outlier::local_origin_success_rate_average::${rate(od.localOriginSuccessRateAverage)}`);
    lines.push(`${name}::outlier::local_origin_success_rate_ejection_threshold::${rate(od.localOriginSuccessRateEjectionThreshold)}`);
  }
  thresholds(lines, name, 'default', state.cluster.circuitBreakers.default);
  thresholds(lines, name, 'high', state.cluster.circuitBreakers.high);
  lines.push(`${name}::added_via_api::true`);
  const eds = state.edsServiceName;
  if (eds !== undefined) lines.push(`${name}::eds_service_name::${eds}`);
  for (const h of state.hosts()) {
    const p = `${name}::${h.key}::`;
    lines.push(`${p}cx_active::${h.cxActive}`);
    lines.push(`${p}cx_connect_fail::${h.stats.cx_connect_fail}`);
    lines.push(`${p}cx_total::${h.stats.cx_total}`);
    lines.push(`${p}rq_active::${h.rqActive}`);
    lines.push(`${p}rq_error::${h.stats.rq_error}`);
    lines.push(`${p}rq_success::${h.stats.rq_success}`);
    lines.push(`${p}rq_timeout::${h.stats.rq_timeout}`);
    lines.push(`${p}rq_total::${h.stats.rq_total}`);
    lines.push(`${p}hostname::${h.hostname}`);
    lines.push(`${p}health_flags::${h.healthFlags()}`);
    lines.push(`${p}weight::${h.weight}`);
    lines.push(`${p}region::${h.locality.region}`);
    lines.push(`${p}zone::${h.locality.zone}`);
    lines.push(`${p}sub_zone::${h.locality.subZone}`);
    lines.push(`${p}canary::false`);
    lines.push(`${p}priority::${h.priority}`);
    lines.push(`${p}success_rate::${rate(h.outlier.successRate)}`);
    lines.push(`${p}local_origin_success_rate::${rate(h.outlier.localOriginSuccessRate)}`);
  }
  return lines;
}

/** The whole `/clusters` text for `clusters`, in name order, newline-terminated. */
export function renderClusters(clusters: Iterable<ClusterState>): string {
  const sorted = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = sorted.flatMap(renderClusterLines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
