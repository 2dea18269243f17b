import { Duration } from 'cdk8s';
import type { OutlierDetection as OutlierDetectionSpec } from '../api/destination-rule';
import { compact, intInRange, INT32_MAX } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';

/** When to eject an unhealthy endpoint from the load-balancing pool. */
export interface OutlierDetectionOptions {
  /**
   * Eject after this many consecutive 5xx (0 disables this check).
   * @default 5 (Istio's default)
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Eject after this many consecutive 502/503/504 (0 disables this check).
   * @default - off
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Eject after this many consecutive locally originated failures (with `splitExternalLocalOriginErrors`).
   * @default 5
   */
  readonly consecutiveLocalOriginFailures?: number;
  /**
   * Count local-origin failures (timeouts, resets) apart from upstream errors.
   * @default false
   */
  readonly splitExternalLocalOriginErrors?: boolean;
  /**
   * Time between ejection sweeps.
   * @default 10s
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time (it grows with each ejection).
   * @default 30s
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Most of the pool that can be ejected, 0..100 %.
   * @default 10
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection stays on while at least this share of the pool is healthy, 0..100 %.
   * @default 0
   */
  readonly minHealthPercent?: number;
}

/** Passive health checking for a destination (Istio's `OutlierDetection`). */
export abstract class OutlierDetection {
  /** Ejects endpoints that fail repeatedly. */
  public static of(options: OutlierDetectionOptions): OutlierDetection {
    return new OutlierDetectionImpl(options);
  }

  /** @internal Istio's `OutlierDetection`. */
  public abstract _render(): OutlierDetectionSpec;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class OutlierDetectionImpl extends OutlierDetection {
  constructor(private readonly o: OutlierDetectionOptions) {
    super();
  }

  public _render(): OutlierDetectionSpec {
    const o = this.o;
    return compact({
      consecutive5xxErrors: o.consecutive5xxErrors,
      consecutiveGatewayErrors: o.consecutiveGatewayErrors,
      consecutiveLocalOriginFailures: o.consecutiveLocalOriginFailures,
      splitExternalLocalOriginErrors: o.splitExternalLocalOriginErrors,
      interval: o.interval ? istioDuration(o.interval) : undefined,
      baseEjectionTime: o.baseEjectionTime ? istioDuration(o.baseEjectionTime) : undefined,
      maxEjectionPercent: o.maxEjectionPercent,
      minHealthPercent: o.minHealthPercent,
    }) as OutlierDetectionSpec;
  }

  public _validate(): string[] {
    const o = this.o;
    return [
      ...intInRange('outlierDetection.consecutive5xxErrors', o.consecutive5xxErrors, 0, INT32_MAX),
      ...intInRange('outlierDetection.consecutiveGatewayErrors', o.consecutiveGatewayErrors, 0, INT32_MAX),
      ...intInRange('outlierDetection.consecutiveLocalOriginFailures', o.consecutiveLocalOriginFailures, 0, INT32_MAX),
      ...durationProblems('outlierDetection.interval', o.interval),
      ...durationProblems('outlierDetection.baseEjectionTime', o.baseEjectionTime),
      ...intInRange('outlierDetection.maxEjectionPercent', o.maxEjectionPercent, 0, 100),
      ...intInRange('outlierDetection.minHealthPercent', o.minHealthPercent, 0, 100),
      ...(o.consecutiveLocalOriginFailures !== undefined && !o.splitExternalLocalOriginErrors
        ? ['outlierDetection.consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true (got false)']
        : []),
    ];
  }
}
