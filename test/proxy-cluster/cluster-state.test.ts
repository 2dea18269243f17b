import { ClusterState, ManualClock, SeededRandom } from '../../runtime/proxy/cluster';
import { assignment, cluster, tally } from './support';

const opts = () => ({ clock: new ManualClock(), random: new SeededRandom(9) });

describe('ClusterState', () => {
  it('balances only over healthy hosts; UNHEALTHY, DRAINING and TIMEOUT get nothing', () => {
    const s = ClusterState.create(cluster(), assignment([
      '10.0.0.1', '10.0.0.2', { ip: '10.0.0.3', health: 'HEALTHY' }, { ip: '10.0.0.4', health: 'UNHEALTHY' }, { ip: '10.0.0.5', health: 'DRAINING' },
      { ip: '10.0.0.6', health: 'TIMEOUT' },
    ]), opts());
    const counts = tally(() => s.chooseHost(), 300);
    expect([...counts.keys()].sort()).toEqual(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
    expect(s.stats).toMatchObject({ membership_total: 6, membership_healthy: 3, lb_healthy_panic: 0 });
    expect(s.host('10.0.0.5:80')?.healthFlags()).toBe('/failed_eds_health/eds_status_draining');
  });

  it('enters panic below healthy_panic_threshold (default 50%) and balances over all hosts', () => {
    const s = ClusterState.create(cluster(), assignment([
      '10.0.0.1', { ip: '10.0.0.2', health: 'UNHEALTHY' }, { ip: '10.0.0.3', health: 'UNHEALTHY' },
    ]), opts());
    expect(s.priorities()[0].panic).toBe(true);
    expect(tally(() => s.chooseHost(), 300).size).toBe(3);
    expect(s.stats.lb_healthy_panic).toBe(300);
    // At exactly 50% healthy (2 of 4) there is no panic.
    const half = ClusterState.create(cluster(), assignment(['10.0.0.1', '10.0.0.2', { ip: '10.0.0.3', health: 'UNHEALTHY' }, { ip: '10.0.0.4', health: 'UNHEALTHY' }]), opts());
    expect(half.priorities()[0].panic).toBe(false);
    expect(tally(() => half.chooseHost(), 100).size).toBe(2);
  });

  it('with a 0% panic threshold never panics and finds no host when none is healthy', () => {
    const s = ClusterState.create(cluster({ common_lb_config: { healthy_panic_threshold: { value: 0 } } }),
      assignment([{ ip: '10.0.0.1', health: 'UNHEALTHY' }]), opts());
    expect(s.chooseHost()).toBeUndefined();
    expect(s.stats.upstream_cx_none_healthy).toBe(1);
  });

  it('uses degraded hosts only when no host is healthy', () => {
    const s = ClusterState.create(cluster(), assignment(['10.0.0.1', { ip: '10.0.0.2', health: 'DEGRADED' }]), opts());
    expect(tally(() => s.chooseHost(), 50).get('10.0.0.1:80')).toBe(50);
    s.updateAssignment(assignment([{ ip: '10.0.0.1', health: 'UNHEALTHY' }, { ip: '10.0.0.2', health: 'DEGRADED' }]));
    expect(tally(() => s.chooseHost(), 50).get('10.0.0.2:80')).toBe(50);
  });

  it('sends traffic to priority 0 while it is healthy enough, spilling to priority 1 as it fails', () => {
    const s = ClusterState.create(cluster(), assignment(['10.0.0.1', '10.0.0.2', { ip: '10.1.0.1', priority: 1 }]), opts());
    expect(tally(() => s.chooseHost(), 100).get('10.1.0.1:80')).toBeUndefined();
    // 1 of 2 healthy × 1.4 = 70% to priority 0, 30% to priority 1.
    s.updateAssignment(assignment([{ ip: '10.0.0.1', health: 'UNHEALTHY' }, '10.0.0.2', { ip: '10.1.0.1', priority: 1 }]));
    expect(s.priorities().map((l) => l.load)).toEqual([70, 30]);
    const spill = tally(() => s.chooseHost(), 10_000).get('10.1.0.1:80') ?? 0;
    expect(Math.abs(spill - 3000)).toBeLessThan(300);
  });

  it('keeps per-host state across EDS updates for hosts that remain', () => {
    const clock = new ManualClock();
    const s = ClusterState.create(cluster({ outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 } }),
      assignment(['10.0.0.1', '10.0.0.2', '10.0.0.3']), { clock, random: new SeededRandom(1) });
    const one = s.host('10.0.0.1:80')!;
    s.onRequestStart(one);
    s.onResponse(s.host('10.0.0.2:80')!, 500);
    s.onResponse(s.host('10.0.0.3:80')!, 500);
    expect(s.stats.outlier_detection.ejections_active).toBe(2);
    s.updateAssignment(assignment([{ ip: '10.0.0.1', weight: 5 }, '10.0.0.2', '10.0.0.9']));
    expect(s.host('10.0.0.1:80')).toBe(one);
    expect(one).toMatchObject({ rqActive: 1, weight: 5 });
    expect(one.stats.rq_total).toBe(1);
    expect(s.host('10.0.0.2:80')?.outlier.ejected).toBe(true);
    expect(s.host('10.0.0.3:80')).toBeUndefined();
    expect(s.stats.outlier_detection.ejections_active).toBe(1);
    expect(s.host('10.0.0.9:80')?.rqActive).toBe(0);
    expect(s.stats.membership_change).toBe(2);
    s.onRequestEnd(one);
    expect(one.rqActive).toBe(0);
    s.close();
  });

  it('re-picks when the retry predicate rejects a host', () => {
    const s = ClusterState.create(cluster(), assignment(['10.0.0.1', '10.0.0.2']), opts());
    const first = s.chooseHost()!;
    for (let i = 0; i < 20; i++) expect(s.chooseHost({ rejectHost: (h) => h === first })).not.toBe(first);
  });

  it('takes STATIC endpoints from the cluster, and picks by request hash for RING_HASH', () => {
    const r = cluster({
      type: 'STATIC', eds_cluster_config: undefined, lb_policy: 'RING_HASH',
      load_assignment: { endpoints: [{ lb_endpoints: ['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((ip) => ({ endpoint: { address: { socket_address: { address: ip, port_value: 8080 } } } })) }] },
    }, 'static');
    const s = ClusterState.create(r, undefined, opts());
    expect(s.hosts()).toHaveLength(3);
    const ctx = { hash: 123_456_789 };
    const h = s.chooseHost(ctx);
    for (let i = 0; i < 10; i++) expect(s.chooseHost(ctx)).toBe(h);
  });

  it('counts responses by class and connections', () => {
    const s = ClusterState.create(cluster(), assignment(['10.0.0.1']), opts());
    const h = s.hosts()[0];
    s.onConnectionOpen(h);
    for (const status of [200, 204, 302, 404, 503]) { s.onRequestStart(h); s.onResponse(h, status); s.onRequestEnd(h); }
    s.onRetry();
    expect(s.stats).toMatchObject({
      upstream_rq_total: 5, upstream_rq_2xx: 2, upstream_rq_3xx: 1, upstream_rq_4xx: 1, upstream_rq_5xx: 1, upstream_rq_active: 0,
      upstream_cx_total: 1, upstream_cx_active: 1, upstream_rq_retry: 1,
    });
    expect(h.stats).toMatchObject({ rq_total: 5, rq_success: 4, rq_error: 1 });
  });
});
