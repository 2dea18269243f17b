import { ClusterState, ManualClock, SeededRandom, flattenClusterStats, renderClusters } from '../../runtime/proxy/cluster';
import { assignment, cluster } from './support';

describe('/clusters text', () => {
  it("renders Envoy's lines for settings and hosts", () => {
    const name = 'outbound|8000||httpbin.default.svc.cluster.local';
    const s = ClusterState.create(
      cluster({ outlier_detection: { consecutive_5xx: 1, max_ejection_percent: 100 }, circuit_breakers: { thresholds: [{ max_connections: 1 }] } }, name),
      assignment(['10.0.3.1', { ip: '10.0.3.2', weight: 3 }], {}, name),
      { clock: new ManualClock(), random: new SeededRandom(1) },
    );
    const h = s.host('10.0.3.1:80')!;
    s.onConnectionOpen(h);
    s.onRequestStart(h);
    s.onResponse(h, 503);
    s.onRequestEnd(h);
    const text = renderClusters([s]);
    const lines = text.split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      `${name}::default_priority::max_connections::1`,
      `${name}::default_priority::max_pending_requests::1024`,
      `${name}::high_priority::max_retries::3`,
      `${name}::outlier::success_rate_average::-1`,
      `${name}::eds_service_name::${name}`,
      `${name}::10.0.3.1:80::cx_active::1`,
      `${name}::10.0.3.1:80::rq_total::1`,
      `${name}::10.0.3.1:80::rq_error::1`,
      `${name}::10.0.3.1:80::health_flags::/failed_outlier_check`,
      `${name}::10.0.3.2:80::health_flags::healthy`,
      `${name}::10.0.3.2:80::weight::3`,
      `${name}::10.0.3.2:80::priority::0`,
    ]));
    expect(text.endsWith('\n')).toBe(true);
    expect(lines.filter((l) => l.includes('::10.0.3.2:80::'))).toHaveLength(18);
    expect(flattenClusterStats(name, s.stats).get(`cluster.${name}.outlier_detection.ejections_active`)).toBe(1);
    expect(flattenClusterStats(name, s.stats).get(`cluster.${name}.circuit_breakers.default.remaining_cx`)).toBe(1);
    s.close();
  });
});
