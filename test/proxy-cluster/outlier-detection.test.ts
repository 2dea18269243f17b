import { ClusterState, ManualClock, SeededRandom } from '../../runtime/proxy/cluster';
import { assignment, cluster } from './support';

const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];

function setup(od: Record<string, unknown>, ips: readonly string[] = IPS, options: { alwaysEjectOneHost?: boolean } = {}) {
  const clock = new ManualClock();
  const s = ClusterState.create(cluster({ outlier_detection: od }), assignment(ips), { clock, random: new SeededRandom(1), ...options });
  const host = (ip: string) => s.host(`${ip}:80`)!;
  const fail = (ip: string, times: number, status = 500) => {
    for (let i = 0; i < times; i++) s.onResponse(host(ip), status);
  };
  return { clock, s, host, fail };
}

describe('outlier detection', () => {
  it('ejects after consecutive_5xx errors in a row, not before, and a success resets the count', () => {
    const { s, host, fail } = setup({ consecutive_5xx: 3, max_ejection_percent: 100 });
    fail('10.0.0.1', 2);
    s.onResponse(host('10.0.0.1'), 200);
    fail('10.0.0.1', 2);
    expect(host('10.0.0.1').outlier.ejected).toBe(false);
    fail('10.0.0.1', 1);
    expect(host('10.0.0.1').outlier.ejected).toBe(true);
    expect(host('10.0.0.1').healthFlags()).toBe('/failed_outlier_check');
    expect(s.stats.outlier_detection).toMatchObject({ ejections_active: 1, ejections_enforced_consecutive_5xx: 1, ejections_detected_consecutive_5xx: 1 });
    for (let i = 0; i < 50; i++) expect(s.chooseHost()?.key).not.toBe('10.0.0.1:80');
    s.close();
  });

  it('counts gateway failures (502/503/504) only when enforcing_consecutive_gateway_failure allows', () => {
    const detectOnly = setup({ consecutive_gateway_failure: 2, consecutive_5xx: 100, max_ejection_percent: 100 });
    detectOnly.fail('10.0.0.2', 2, 503);
    expect(detectOnly.host('10.0.0.2').outlier.ejected).toBe(false);
    expect(detectOnly.s.stats.outlier_detection.ejections_detected_consecutive_gateway_failure).toBe(1);
    const enforced = setup({ consecutive_gateway_failure: 2, enforcing_consecutive_gateway_failure: 100, consecutive_5xx: 100, max_ejection_percent: 100 });
    enforced.fail('10.0.0.2', 1, 502);
    enforced.fail('10.0.0.2', 1, 500); // not a gateway error: resets the run
    enforced.fail('10.0.0.2', 1, 504);
    expect(enforced.host('10.0.0.2').outlier.ejected).toBe(false);
    enforced.fail('10.0.0.2', 1, 504);
    expect(enforced.host('10.0.0.2').outlier.ejected).toBe(true);
    expect(enforced.s.stats.outlier_detection.ejections_enforced_consecutive_gateway_failure).toBe(1);
  });

  it('counts connect failures as local-origin errors when split, as 5xx otherwise', () => {
    const split = setup({ split_external_local_origin_errors: true, consecutive_local_origin_failure: 2, consecutive_5xx: 2, max_ejection_percent: 100 });
    const h = split.host('10.0.0.1');
    split.s.onLocalOriginFailure(h, 'connect-failure');
    split.fail('10.0.0.1', 1);
    split.s.onConnectionOpen(h); // local success resets the local run
    split.s.onLocalOriginFailure(h, 'connect-failure');
    expect(h.outlier.ejected).toBe(false);
    split.s.onLocalOriginFailure(h, 'timeout');
    expect(h.outlier.ejected).toBe(true);
    expect(split.s.stats.outlier_detection.ejections_enforced_consecutive_local_origin_failure).toBe(1);
    const merged = setup({ consecutive_5xx: 2, max_ejection_percent: 100 });
    merged.s.onLocalOriginFailure(merged.host('10.0.0.3'), 'connect-failure');
    merged.s.onLocalOriginFailure(merged.host('10.0.0.3'), 'reset');
    expect(merged.host('10.0.0.3').outlier.ejected).toBe(true);
    expect(merged.s.stats.upstream_cx_connect_fail).toBe(1);
  });

  it('returns the host after base_ejection_time at an interval sweep, and ejects longer on repeat', () => {
    const { clock, s, host, fail } = setup({ consecutive_5xx: 1, interval: '1s', base_ejection_time: '10s', max_ejection_percent: 100 });
    fail('10.0.0.1', 1);
    clock.advance(9000);
    expect(host('10.0.0.1').outlier.ejected).toBe(true);
    clock.advance(1000);
    expect(host('10.0.0.1').outlier.ejected).toBe(false);
    expect(s.stats.outlier_detection.ejections_active).toBe(0);
    // Fails again at once: multiplier 2 → 20 s.
    fail('10.0.0.1', 1);
    expect(s.outlierDetector?.ejectionTimeMs(host('10.0.0.1'))).toBe(20_000);
    clock.advance(19_000);
    expect(host('10.0.0.1').outlier.ejected).toBe(true);
    clock.advance(1000);
    expect(host('10.0.0.1').outlier.ejected).toBe(false);
    s.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('caps the ejection time at max_ejection_time and forgets old ejections over healthy intervals', () => {
    const { clock, host, fail, s } = setup({ consecutive_5xx: 1, interval: '1s', base_ejection_time: '10s', max_ejection_time: '25s', max_ejection_percent: 100 });
    const h = host('10.0.0.1');
    for (let round = 0; round < 4; round++) {
      fail('10.0.0.1', 1);
      clock.advance(s.outlierDetector!.ejectionTimeMs(h));
      expect(h.outlier.ejected).toBe(false);
    }
    expect(h.outlier.ejectionMultiplier).toBe(4);
    fail('10.0.0.1', 1);
    expect(s.outlierDetector!.ejectionTimeMs(h)).toBe(25_000);
    clock.advance(25_000);
    clock.advance(10_000); // ten healthy sweeps bring the multiplier back to 0
    expect(h.outlier.ejectionMultiplier).toBe(0);
    fail('10.0.0.1', 1);
    expect(s.outlierDetector!.ejectionTimeMs(h)).toBe(10_000);
  });

  it('honours max_ejection_percent strictly and counts the overflow', () => {
    const { host, fail, s } = setup({ consecutive_5xx: 1, max_ejection_percent: 50 });
    fail('10.0.0.1', 1);
    fail('10.0.0.2', 1);
    fail('10.0.0.3', 1);
    expect(IPS.map((ip) => host(ip).outlier.ejected)).toEqual([true, true, false, false]);
    expect(s.stats.outlier_detection.ejections_overflow).toBe(1);
    // 10% of 4 hosts is less than one host: none, unless alwaysEjectOneHost.
    const strict = setup({ consecutive_5xx: 1 });
    strict.fail('10.0.0.1', 1);
    expect(strict.host('10.0.0.1').outlier.ejected).toBe(false);
    const one = setup({ consecutive_5xx: 1 }, IPS, { alwaysEjectOneHost: true });
    one.fail('10.0.0.1', 1);
    one.fail('10.0.0.2', 1);
    expect([one.host('10.0.0.1').outlier.ejected, one.host('10.0.0.2').outlier.ejected]).toEqual([true, false]);
  });

  it('applies enforcing percentages as chances', () => {
    const { host, fail, s } = setup({ consecutive_5xx: 1, enforcing_consecutive_5xx: 0, max_ejection_percent: 100 });
    fail('10.0.0.1', 5);
    expect(host('10.0.0.1').outlier.ejected).toBe(false);
    expect(s.stats.outlier_detection.ejections_detected_consecutive_5xx).toBe(5);
  });

  it('ejects success-rate outliers at the interval', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'];
    const { clock, s, host } = setup({ consecutive_5xx: 1000, interval: '1s', success_rate_request_volume: 10, success_rate_minimum_hosts: 5, max_ejection_percent: 100 }, ips);
    for (const ip of ips) for (let i = 0; i < 20; i++) s.onResponse(host(ip), ip === '10.0.0.5' && i % 2 === 0 ? 500 : 200);
    clock.advance(1000);
    expect(ips.map((ip) => host(ip).outlier.ejected)).toEqual([false, false, false, false, true]);
    expect(host('10.0.0.5').outlier.successRate).toBe(50);
    expect(s.outlierDetector?.successRateAverage).toBe(90);
    expect(s.stats.outlier_detection.ejections_enforced_success_rate).toBe(1);
  });
});
