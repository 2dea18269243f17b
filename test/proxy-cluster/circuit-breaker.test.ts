import { ClusterState, OVERFLOW_FAILURE } from '../../runtime/proxy/cluster';
import { FAILURES } from '../../runtime/proxy/http/response-flags';
import { assignment, cluster } from './support';

function state(thresholds: Record<string, unknown>[]): ClusterState {
  return ClusterState.create(cluster({ circuit_breakers: { thresholds } }), assignment(['10.0.0.1']));
}

describe('circuit breakers', () => {
  it('admits up to max_pending_requests and trips at max+1 with UO and the overflow stat', () => {
    const s = state([{ max_pending_requests: 2 }]);
    const cb = s.circuitBreakers.default;
    expect(cb.tryAcquirePendingRequest()).toBe(true);
    expect(cb.tryAcquirePendingRequest()).toBe(true);
    expect(s.stats.circuit_breakers.default.rq_pending_open).toBe(1);
    expect(s.stats.circuit_breakers.default.remaining_pending).toBe(0);
    expect(cb.tryAcquirePendingRequest()).toBe(false);
    expect(s.stats.upstream_rq_pending_overflow).toBe(1);
    expect(FAILURES[OVERFLOW_FAILURE]).toMatchObject({ status: 503 });
    cb.releasePendingRequest();
    expect(s.stats.circuit_breakers.default.rq_pending_open).toBe(0);
    expect(cb.tryAcquirePendingRequest()).toBe(true);
  });

  it('limits connections at max_connections (upstream_cx_overflow)', () => {
    const s = state([{ max_connections: 1 }]);
    const cb = s.circuitBreakers.default;
    expect(cb.poolLimits.tryOpenConnection()).toBe(true);
    expect(s.stats.circuit_breakers.default.cx_open).toBe(1);
    expect(cb.poolLimits.tryOpenConnection()).toBe(false);
    expect(s.stats.upstream_cx_overflow).toBe(1);
    cb.poolLimits.connectionClosed();
    expect(s.stats.circuit_breakers.default.remaining_cx).toBe(1);
    expect(cb.tryAcquireConnection()).toBe(true);
  });

  it('limits requests and retries, per priority', () => {
    const s = state([{ max_requests: 1, max_retries: 0 }, { priority: 'HIGH', max_retries: 2 }]);
    const d = s.circuitBreakers.of('default');
    expect(d.tryAcquireRequest()).toBe(true);
    expect(d.tryAcquireRequest()).toBe(false);
    expect(s.stats.upstream_rq_pending_overflow).toBe(1);
    expect(d.tryAcquireRetry()).toBe(false);
    expect(s.stats.upstream_rq_retry_overflow).toBe(1);
    const h = s.circuitBreakers.of('high');
    expect(h.tryAcquireRetry()).toBe(true);
    expect(h.tryAcquireRetry()).toBe(true);
    expect(h.tryAcquireRetry()).toBe(false);
    expect(s.stats.upstream_rq_retry_overflow).toBe(2);
    expect(s.stats.circuit_breakers.high.remaining_retries).toBe(0);
    h.releaseRetry();
    expect(s.stats.circuit_breakers.high.remaining_retries).toBe(1);
    expect(s.stats.circuit_breakers.default.remaining_rq).toBe(0);
  });

  it("uses Envoy's defaults (1024 / 1024 / 1024 / 3) and keeps counts across a CDS update", () => {
    const s = state([]);
    expect(s.stats.circuit_breakers.default).toMatchObject({ remaining_cx: 1024, remaining_pending: 1024, remaining_rq: 1024, remaining_retries: 3 });
    s.circuitBreakers.default.tryAcquireRequest();
    s.updateCluster(cluster({ circuit_breakers: { thresholds: [{ max_requests: 1 }] } }));
    expect(s.circuitBreakers.default.tryAcquireRequest()).toBe(false);
  });
});
