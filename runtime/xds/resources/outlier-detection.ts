/** `cluster.v3.OutlierDetection`: passive ejection of failing hosts, with Envoy's defaults filled in. */
import type { Message } from './private/reader';

export interface OutlierDetection {
  /** @default 5 */
  readonly consecutive5xx: number;
  /** @default 5 */
  readonly consecutiveGatewayFailure: number;
  /** @default 5 */
  readonly consecutiveLocalOriginFailure: number;
  /** @default 10000 */
  readonly intervalMs: number;
  /** @default 30000 */
  readonly baseEjectionTimeMs: number;
  /** @default 300000 */
  readonly maxEjectionTimeMs: number;
  /** Most hosts ejected at once, 0..1. @default 0.1 */
  readonly maxEjectionFraction: number;
  /** Chance of ejecting on each condition, 0..1. */
  readonly enforcingConsecutive5xx: number;
  readonly enforcingConsecutiveGatewayFailure: number;
  readonly enforcingConsecutiveLocalOriginFailure: number;
  readonly enforcingSuccessRate: number;
  readonly enforcingLocalOriginSuccessRate: number;
  readonly enforcingFailurePercentage: number;
  readonly enforcingFailurePercentageLocalOrigin: number;
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
  /** Divided by 1000, as Envoy does: 1900 → 1.9. */
  readonly successRateStdevFactor: number;
  /** Threshold of failure-percentage ejection, 0..1. @default 0.85 */
  readonly failurePercentageThreshold: number;
  readonly failurePercentageMinimumHosts: number;
  readonly failurePercentageRequestVolume: number;
  readonly splitExternalLocalOriginErrors: boolean;
}

/** Reads an OutlierDetection message. */
export function decodeOutlierDetection(m: Message): OutlierDetection {
  m.unsupported(['detect_degraded_hosts', 'successful_active_health_check_uneject_host', 'monitors', 'always_eject_one_host']);
  const pct = (field: string, fallback: number): number => (m.integer(field, { max: 100 }) ?? fallback) / 100;
  const baseEjectionTimeMs = m.duration('base_ejection_time', { sign: 'positive' }) ?? 30_000;
  const maxEjectionTimeMs = m.duration('max_ejection_time', { sign: 'positive' }) ?? 300_000;
  if (baseEjectionTimeMs > maxEjectionTimeMs) {
    m.error('max_ejection_time', `must be at least base_ejection_time (got ${maxEjectionTimeMs}ms < ${baseEjectionTimeMs}ms)`);
  }
  return {
    consecutive5xx: m.integer('consecutive_5xx') ?? 5,
    consecutiveGatewayFailure: m.integer('consecutive_gateway_failure') ?? 5,
    consecutiveLocalOriginFailure: m.integer('consecutive_local_origin_failure') ?? 5,
    intervalMs: m.duration('interval', { sign: 'positive' }) ?? 10_000,
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionFraction: pct('max_ejection_percent', 10),
    enforcingConsecutive5xx: pct('enforcing_consecutive_5xx', 100),
    enforcingConsecutiveGatewayFailure: pct('enforcing_consecutive_gateway_failure', 0),
    enforcingConsecutiveLocalOriginFailure: pct('enforcing_consecutive_local_origin_failure', 100),
    enforcingSuccessRate: pct('enforcing_success_rate', 100),
    enforcingLocalOriginSuccessRate: pct('enforcing_local_origin_success_rate', 100),
    enforcingFailurePercentage: pct('enforcing_failure_percentage', 0),
    enforcingFailurePercentageLocalOrigin: pct('enforcing_failure_percentage_local_origin', 0),
    successRateMinimumHosts: m.integer('success_rate_minimum_hosts') ?? 5,
    successRateRequestVolume: m.integer('success_rate_request_volume') ?? 100,
    successRateStdevFactor: (m.integer('success_rate_stdev_factor') ?? 1900) / 1000,
    failurePercentageThreshold: pct('failure_percentage_threshold', 85),
    failurePercentageMinimumHosts: m.integer('failure_percentage_minimum_hosts') ?? 5,
    failurePercentageRequestVolume: m.integer('failure_percentage_request_volume') ?? 50,
    splitExternalLocalOriginErrors: m.bool('split_external_local_origin_errors', false),
  };
}
