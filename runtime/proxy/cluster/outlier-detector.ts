/**
 * Envoy's outlier detection for one cluster (passive health checking).
 *
 * - Consecutive 5xx, consecutive gateway failures (502/503/504) and, with
 *   `split_external_local_origin_errors`, consecutive local-origin failures
 *   (connect failure, timeout, reset) eject inline when the count is reached;
 *   without the split, local-origin failures count as a 503 from the host.
 * - Success-rate and failure-percentage detection run at every `interval`.
 * - A detected outlier is ejected only if, counting it, no more than
 *   `max_ejection_percent` of the hosts would be ejected (Envoy enforces the
 *   percentage strictly since 1.27; `alwaysEjectOneHost` restores "at least one
 *   host", Envoy's `always_eject_one_host`), and then with the `enforcing_*`
 *   probability; otherwise `ejections_overflow` counts it.
 * - An ejected host returns at the first interval sweep after
 *   `base_ejection_time × multiplier` (capped at max(base, `max_ejection_time`)).
 *   The multiplier grows by one per ejection and shrinks by one per interval
 *   the host spends un-ejected, so repeat offenders stay out longer.
 */
import type { OutlierDetection } from '../../xds/resources';
import type { Clock, TimerHandle } from './clock';
import type { OutlierStats } from './cluster-stats';
import type { Host } from './host';
import type { Random } from './random';

export type EjectionType =
  | 'consecutive_5xx' | 'consecutive_gateway_failure' | 'consecutive_local_origin_failure'
  | 'success_rate' | 'failure_percentage';

/** Local-origin events the engine reports (not HTTP responses). */
export type LocalOriginFailure = 'connect-failure' | 'timeout' | 'reset';

export interface OutlierDetectorOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** The cluster's current hosts. */
  readonly hosts: () => readonly Host[];
  /** Called after hosts were ejected or returned (the cluster rebuilds its balancers). */
  readonly onChange: () => void;
  /** Eject one host even when max_ejection_percent would allow none. @default false */
  readonly alwaysEjectOneHost?: boolean;
}

const ENFORCING: Readonly<Record<EjectionType, keyof OutlierDetection>> = {
  consecutive_5xx: 'enforcingConsecutive5xx',
  consecutive_gateway_failure: 'enforcingConsecutiveGatewayFailure',
  consecutive_local_origin_failure: 'enforcingConsecutiveLocalOriginFailure',
  success_rate: 'enforcingSuccessRate',
  failure_percentage: 'enforcingFailurePercentage',
};

function isGatewayError(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

export class OutlierDetector {
  config: OutlierDetection;
  private readonly stats: OutlierStats;
  private readonly options: OutlierDetectorOptions;
  private timer: TimerHandle | undefined;
  /** Success-rate mean and ejection threshold of the last sweep (-1 when not computed). */
  successRateAverage = -1;
  successRateEjectionThreshold = -1;
  localOriginSuccessRateAverage = -1;
  localOriginSuccessRateEjectionThreshold = -1;

  constructor(config: OutlierDetection, stats: OutlierStats, options: OutlierDetectorOptions) {
    this.config = config;
    this.stats = stats;
    this.options = options;
  }

  /** Starts the interval sweeps. */
  start(): void {
    if (!this.timer) this.timer = this.options.clock.every(this.config.intervalMs, () => this.runInterval());
  }

  /** Stops the interval sweeps. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** New configuration (CDS update): host state is kept; the timer restarts if the interval changed. */
  setConfig(config: OutlierDetection): void {
    const restart = this.timer !== undefined && config.intervalMs !== this.config.intervalMs;
    this.config = config;
    if (restart) {
      this.stop();
      this.start();
    }
  }

  /** An HTTP response from `host` (external origin). */
  putHttpResponse(host: Host, status: number): void {
    const o = host.outlier;
    o.intervalTotal++;
    if (status < 500) {
      o.intervalSuccess++;
      o.consecutive5xx = 0;
      o.consecutiveGatewayFailure = 0;
      return;
    }
    const c = this.config;
    if (isGatewayError(status)) {
      if (++o.consecutiveGatewayFailure >= c.consecutiveGatewayFailure) {
        this.onConsecutive(host, 'consecutive_gateway_failure');
      }
    } else {
      o.consecutiveGatewayFailure = 0;
    }
    if (++o.consecutive5xx >= c.consecutive5xx) this.onConsecutive(host, 'consecutive_5xx');
  }

  /** A local-origin failure talking to `host`. */
  putLocalOriginFailure(host: Host, _kind: LocalOriginFailure): void {
    if (!this.config.splitExternalLocalOriginErrors) {
      this.putHttpResponse(host, 503);
      return;
    }
    const o = host.outlier;
    o.intervalLocalTotal++;
    if (++o.consecutiveLocalOriginFailure >= this.config.consecutiveLocalOriginFailure) {
      this.onConsecutive(host, 'consecutive_local_origin_failure');
    }
  }

  /** A local-origin success (connected to `host`); counts only when errors are split. */
  putLocalOriginSuccess(host: Host): void {
    if (!this.config.splitExternalLocalOriginErrors) return;
    const o = host.outlier;
    o.intervalLocalTotal++;
    o.intervalLocalSuccess++;
    o.consecutiveLocalOriginFailure = 0;
  }

  private onConsecutive(host: Host, type: EjectionType): void {
    const o = host.outlier;
    if (o.ejected) return;
    this.detected(type);
    if (this.eject(host, type)) this.options.onChange();
    if (type === 'consecutive_5xx') o.consecutive5xx = 0;
    else if (type === 'consecutive_gateway_failure') o.consecutiveGatewayFailure = 0;
    else o.consecutiveLocalOriginFailure = 0;
  }

  private detected(type: EjectionType): void {
    const s = this.stats;
    switch (type) {
      case 'consecutive_5xx': s.ejections_detected_consecutive_5xx++; break;
      case 'consecutive_gateway_failure': s.ejections_detected_consecutive_gateway_failure++; break;
      case 'consecutive_local_origin_failure': s.ejections_detected_consecutive_local_origin_failure++; break;
      case 'success_rate': s.ejections_detected_success_rate++; break;
      case 'failure_percentage': s.ejections_detected_failure_percentage++; break;
    }
  }

  private enforced(type: EjectionType): void {
    const s = this.stats;
    s.ejections_enforced_total++;
    switch (type) {
      case 'consecutive_5xx': s.ejections_enforced_consecutive_5xx++; break;
      case 'consecutive_gateway_failure': s.ejections_enforced_consecutive_gateway_failure++; break;
      case 'consecutive_local_origin_failure': s.ejections_enforced_consecutive_local_origin_failure++; break;
      case 'success_rate': s.ejections_enforced_success_rate++; break;
      case 'failure_percentage': s.ejections_enforced_failure_percentage++; break;
    }
  }

  /** Whether one more ejection stays within max_ejection_percent. */
  private mayEject(): boolean {
    const total = this.options.hosts().length;
    if (total === 0) return false;
    const active = this.stats.ejections_active;
    const maxPercent = Math.round(this.config.maxEjectionFraction * 100);
    if (100 * (active + 1) <= maxPercent * total) return true;
    return (this.options.alwaysEjectOneHost ?? false) && active === 0;
  }

  /** Ejects `host` if the percentage cap and the enforcing chance allow; true when it did. */
  private eject(host: Host, type: EjectionType, localOrigin = false): boolean {
    if (!this.mayEject()) {
      this.stats.ejections_overflow++;
      return false;
    }
    const c = this.config;
    const chance = !localOrigin ? (c[ENFORCING[type]] as number)
      : type === 'success_rate' ? c.enforcingLocalOriginSuccessRate : c.enforcingFailurePercentageLocalOrigin;
    if (chance <= 0 || (chance < 1 && this.options.random.next() >= chance)) return false;
    const o = host.outlier;
    o.ejected = true;
    o.ejectedAtMs = this.options.clock.now();
    o.ejectionMultiplier++;
    o.ejectionsTotal++;
    this.stats.ejections_active++;
    this.stats.ejections_total++;
    this.enforced(type);
    return true;
  }

  /** Current ejection length of `host` (base × multiplier, capped). */
  ejectionTimeMs(host: Host): number {
    const base = this.config.baseEjectionTimeMs;
    return Math.min(base * Math.max(1, host.outlier.ejectionMultiplier), Math.max(base, this.config.maxEjectionTimeMs));
  }

  /** Returns `host` to service (also used when a host leaves the cluster while ejected). */
  forget(host: Host): void {
    if (host.outlier.ejected) {
      host.outlier.ejected = false;
      this.stats.ejections_active = Math.max(0, this.stats.ejections_active - 1);
    }
  }

  /** One sweep: return hosts whose ejection ended, then success-rate and failure-percentage detection. */
  runInterval(): void {
    const now = this.options.clock.now();
    const hosts = this.options.hosts();
    let changed = false;
    for (const h of hosts) {
      const o = h.outlier;
      if (!o.ejected) {
        if (o.ejectionMultiplier > 0) o.ejectionMultiplier--;
      } else if (now - o.ejectedAtMs >= this.ejectionTimeMs(h)) {
        this.forget(h);
        changed = true;
      }
    }
    const c = this.config;
    if (this.detectSuccessRate(hosts, false)) changed = true;
    if (this.detectFailurePercentage(hosts, false)) changed = true;
    if (c.splitExternalLocalOriginErrors) {
      if (this.detectSuccessRate(hosts, true)) changed = true;
      if (this.detectFailurePercentage(hosts, true)) changed = true;
    }
    for (const h of hosts) {
      const o = h.outlier;
      o.intervalSuccess = 0; o.intervalTotal = 0; o.intervalLocalSuccess = 0; o.intervalLocalTotal = 0;
    }
    if (changed) this.options.onChange();
  }

  private detectSuccessRate(hosts: readonly Host[], local: boolean): boolean {
    const c = this.config;
    const rates: number[] = [];
    const candidates: Host[] = [];
    for (const h of hosts) {
      const o = h.outlier;
      const total = local ? o.intervalLocalTotal : o.intervalTotal;
      const rate = total >= c.successRateRequestVolume ? (100 * (local ? o.intervalLocalSuccess : o.intervalSuccess)) / total : -1;
      if (local) o.localOriginSuccessRate = rate; else o.successRate = rate;
      if (rate >= 0 && !o.ejected) { rates.push(rate); candidates.push(h); }
    }
    if (candidates.length < c.successRateMinimumHosts || candidates.length === 0) {
      if (local) { this.localOriginSuccessRateAverage = -1; this.localOriginSuccessRateEjectionThreshold = -1; }
      else { this.successRateAverage = -1; this.successRateEjectionThreshold = -1; }
      return false;
    }
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const variance = rates.reduce((a, r) => a + (r - mean) * (r - mean), 0) / rates.length;
    const threshold = mean - c.successRateStdevFactor * Math.sqrt(variance);
    if (local) { this.localOriginSuccessRateAverage = mean; this.localOriginSuccessRateEjectionThreshold = threshold; }
    else { this.successRateAverage = mean; this.successRateEjectionThreshold = threshold; }
    let changed = false;
    candidates.forEach((h, i) => {
      if (rates[i] < threshold) {
        this.detected('success_rate');
        if (this.eject(h, 'success_rate', local)) changed = true;
      }
    });
    return changed;
  }

  private detectFailurePercentage(hosts: readonly Host[], local: boolean): boolean {
    const c = this.config;
    const eligible = hosts.filter((h) => !h.outlier.ejected && (local ? h.outlier.intervalLocalTotal : h.outlier.intervalTotal) >= c.failurePercentageRequestVolume);
    if (eligible.length === 0 || eligible.length < c.failurePercentageMinimumHosts) return false;
    let changed = false;
    for (const h of eligible) {
      const o = h.outlier;
      const total = local ? o.intervalLocalTotal : o.intervalTotal;
      const failed = total - (local ? o.intervalLocalSuccess : o.intervalSuccess);
      if (failed / total >= c.failurePercentageThreshold) {
        this.detected('failure_percentage');
        if (this.eject(h, 'failure_percentage', local)) changed = true;
      }
    }
    return changed;
  }
}
