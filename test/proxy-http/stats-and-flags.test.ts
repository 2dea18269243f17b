import { FAILURES, formatResponseFlags, ProxyStats, ResponseFlag } from '../../runtime/proxy/http';
import { EndpointPool, PoolCounter } from '../../runtime/proxy/upstream';

describe('response flags table', () => {
  it('formats flag sets as Envoy prints %RESPONSE_FLAGS%', () => {
    expect(formatResponseFlags(0)).toBe('-');
    expect(formatResponseFlags(ResponseFlag.UF)).toBe('UF');
    expect(formatResponseFlags(ResponseFlag.UT | ResponseFlag.DC)).toBe('UT,DC');
  });

  it('maps each upstream failure to Envoy status and flag', () => {
    expect([FAILURES['no-route'].status, formatResponseFlags(FAILURES['no-route'].flag)]).toEqual([404, 'NR']);
    expect([FAILURES['upstream-connect-failure'].status, formatResponseFlags(FAILURES['upstream-connect-failure'].flag)]).toEqual([503, 'UF']);
    expect([FAILURES['upstream-overflow'].status, formatResponseFlags(FAILURES['upstream-overflow'].flag)]).toEqual([503, 'UO']);
    expect([FAILURES['upstream-request-timeout'].status, formatResponseFlags(FAILURES['upstream-request-timeout'].flag)]).toEqual([504, 'UT']);
    expect([FAILURES['cluster-not-found'].status, formatResponseFlags(FAILURES['cluster-not-found'].flag)]).toEqual([503, 'NC']);
    expect(FAILURES['downstream-disconnect'].status).toBe(0);
  });
});

describe('proxy stats', () => {
  it('renders counters, flags, the duration histogram and pool counters only on scrape', () => {
    const stats = new ProxyStats();
    stats.recordExchange(200, 0, 0.7);
    stats.recordExchange(503, ResponseFlag.UF, 3);
    const pool = new EndpointPool({ host: '127.0.0.1', port: 1 });
    pool.stats[PoolCounter.cx_connect_fail] = 2;
    const text = stats.renderPrometheus('outbound_0.0.0.0_9080', [{ cluster: 'outbound|9080||reviews', pool }]);
    expect(text).toContain('envoy_http_downstream_rq_2xx{envoy_http_conn_manager_prefix="outbound_0.0.0.0_9080"} 1');
    expect(text).toContain('envoy_http_downstream_rq_5xx{envoy_http_conn_manager_prefix="outbound_0.0.0.0_9080"} 1');
    expect(text).toContain('response_flags="UF"} 1');
    expect(text).toContain('envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix="outbound_0.0.0.0_9080",le="1"} 1');
    expect(text).toContain('le="+Inf"} 2');
    expect(text).toContain('envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name="outbound|9080||reviews"} 2');
    pool.close();
  });
});
