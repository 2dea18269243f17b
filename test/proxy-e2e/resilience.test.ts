/**
 * The proxy end to end, resilience: retries, route timeouts, circuit breakers,
 * outlier detection and refused connections, through a Sidecar egress listener
 * on 127.0.78.1:9080, each behaviour on a service of its own.
 */
import { unusedPort } from '../support/ports';
import { eventually, Mesh, requestsTotal, serviceYaml, sidecarYaml, startMesh, startUpstream, Upstream } from './harness';

const BIND = '127.0.78.1';
const CLIENT = '127.0.78.2';

const POLICIES = `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: flaky, namespace: default }
spec:
  hosts: [flaky]
  http:
  - route: [{ destination: { host: flaky } }]
    retries: { attempts: 3, retryOn: 5xx }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: slow, namespace: default }
spec:
  hosts: [slow]
  http:
  - route: [{ destination: { host: slow } }]
    timeout: 300ms
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: breaker, namespace: default }
spec:
  host: breaker
  trafficPolicy:
    connectionPool:
      tcp: { maxConnections: 1 }
      http: { http1MaxPendingRequests: 1 }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: outlier, namespace: default }
spec:
  host: outlier
  trafficPolicy:
    outlierDetection: { consecutive5xxErrors: 2, interval: 100ms, baseEjectionTime: 500ms, maxEjectionPercent: 100 }
`;

describe('proxy resilience through a Sidecar egress listener', () => {
  const upstreams: Upstream[] = [];
  let mesh: Mesh | undefined;
  let bad: Upstream;

  beforeAll(async () => {
    const flaky = await startUpstream('flaky', '127.0.78.11');
    const slow = await startUpstream('slow', '127.0.78.12');
    const breaker = await startUpstream('breaker', '127.0.78.13');
    bad = await startUpstream('bad', '127.0.78.14');
    const good = await startUpstream('good', '127.0.78.15');
    upstreams.push(flaky, slow, breaker, bad, good);
    const deadPort = await unusedPort('127.0.78.16');
    mesh = await startMesh({
      'services.yaml': serviceYaml('flaky', [flaky]) + serviceYaml('slow', [slow]) + serviceYaml('breaker', [breaker])
        + serviceYaml('outlier', [bad, good]) + serviceYaml('dead', [{ name: 'dead', address: '127.0.78.16', port: deadPort }]),
      'sidecar.yaml': sidecarYaml(BIND),
      'policies.yaml': POLICIES,
    }, BIND, CLIENT);
  }, 30_000);

  afterAll(async () => {
    await mesh?.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  const prometheus = async (): Promise<string> => (await mesh!.adminGet('/stats/prometheus')).body;

  test('retries on 503 succeed against a flaky upstream', async () => {
    const r = await mesh!.get('/', { host: 'flaky:9080', 'x-key': 'a', 'x-fail-times': '2' });
    expect(r.status).toBe(200);
    expect(r.upstream).toBe('flaky');
    const stats = (await mesh!.adminGet('/stats?filter=flaky')).body;
    expect(stats).toMatch(/cluster\.outbound\|9080\|\|flaky\.default\.svc\.cluster\.local\.upstream_rq_retry: 2\n/);
  });

  test('exhausted retries answer the last 503 with flag URX', async () => {
    const r = await mesh!.get('/', { host: 'flaky:9080', 'x-key': 'b', 'x-fail-times': '10' });
    expect(r.status).toBe(503);
    expect(mesh!.accessLog.some((l) => / 503 URX .*flaky/.test(l))).toBe(true);
    expect(requestsTotal(await prometheus(), { destination_service_name: 'flaky', response_code: '503', response_flags: 'URX' })).toBe(1);
  });

  test('the route timeout answers 504 UT', async () => {
    const r = await mesh!.get('/', { host: 'slow:9080', 'x-delay-ms': '3000' });
    expect(r.status).toBe(504);
    expect(r.ms).toBeLessThan(2000);
    expect(requestsTotal(await prometheus(), { destination_service_name: 'slow', response_code: '504', response_flags: 'UT' })).toBe(1);
  });

  test('the circuit breaker (1 connection, 1 pending) answers some of 3 concurrent requests 503 UO', async () => {
    const replies = await Promise.all([0, 1, 2].map(() => mesh!.get('/', { host: 'breaker:9080', 'x-delay-ms': '300' })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const prom = await prometheus();
    expect(requestsTotal(prom, { destination_service_name: 'breaker', response_flags: 'UO' })).toBeGreaterThanOrEqual(1);
    expect(requestsTotal(prom, { destination_service_name: 'breaker', response_code: '200' })).toBeGreaterThanOrEqual(1);
  });

  test('outlier detection ejects a failing host, then restores it', async () => {
    bad.failWith = 500;
    const hostLine = (text: string): string | undefined => text.split('\n').find((l) => l.startsWith('outbound|9080||outlier.default.svc.cluster.local::127.0.78.14:') && l.includes('::health_flags::'));
    await eventually('the failing host ejected', async () => {
      await mesh!.get('/', { host: 'outlier:9080' });
      return hostLine((await mesh!.adminGet('/clusters')).body)?.endsWith('/failed_outlier_check');
    }, 5000);
    for (let i = 0; i < 10; i++) expect((await mesh!.get('/', { host: 'outlier:9080' })).upstream).toBe('good');
    bad.failWith = 0;
    await eventually('the host restored', async () => hostLine((await mesh!.adminGet('/clusters')).body)?.endsWith('::healthy'), 5000);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await mesh!.get('/', { host: 'outlier:9080' })).upstream);
    expect(seen).toEqual(new Set(['bad', 'good']));
  });

  test('an upstream refusing connections answers 503 UF after the configured retries, never hanging', async () => {
    const r = await mesh!.get('/', { host: 'dead:9080' }, 3000);
    expect(r.status).toBe(503);
    expect(r.ms).toBeLessThan(2000);
    const line = mesh!.accessLog.find((l) => l.includes('outbound|9080||dead.default.svc.cluster.local'));
    expect(line).toMatch(/ 503 UF(,URX)? /);
    const stats = (await mesh!.adminGet('/stats?filter=dead')).body;
    expect(stats).toMatch(/\.upstream_cx_connect_fail: 3\n/);
  });
});
