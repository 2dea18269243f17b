/**
 * AuthorizationPolicy end to end: policies written as Istio YAML, translated
 * by the control plane into RBAC filters, enforced by the proxy's inbound
 * listener in front of a real upstream on loopback.
 */
import { requestsTotal } from '../proxy-e2e/harness';
import { ServerMesh, policy, startServerMesh } from './harness';

const IP = '127.0.78.10';
let mesh: ServerMesh;

beforeAll(async () => {
  mesh = await startServerMesh(IP, '127.0.78.20');
}, 20_000);

afterAll(async () => {
  await mesh?.close();
});

describe('AuthorizationPolicy on the inbound listener', () => {
  it('allows everything when no policy applies', async () => {
    const r = await mesh.call('/anything');
    expect(r.status).toBe(200);
    expect(r.upstream).toBe('reviews-v1');
  });

  it('allows and denies by exact, prefix and suffix paths', async () => {
    await mesh.apply(policy('paths', `selector: { matchLabels: { app: reviews } }
rules:
- to: [{ operation: { paths: ["/exact", "/api/*", "*.css"] } }]`), 'policy[paths]');
    expect((await mesh.call('/exact')).status).toBe(200);
    expect((await mesh.call('/exact?query=1')).status).toBe(200);
    expect((await mesh.call('/api/v1/items')).status).toBe(200);
    expect((await mesh.call('/static/site.css')).status).toBe(200);
    const denied = await mesh.call('/exact/more');
    expect(denied.status).toBe(403);
    expect(denied.body).toBe('RBAC: access denied');
    expect((await mesh.call('/other')).status).toBe(403);
  });

  it('matches methods', async () => {
    await mesh.apply(policy('methods', `rules:
- to: [{ operation: { methods: ["GET", "HEAD"] } }]`), 'policy[methods]');
    expect((await mesh.call('/x')).status).toBe(200);
    expect((await mesh.call('/x', { method: 'POST' })).status).toBe(403);
    expect((await mesh.call('/x', { method: 'DELETE' })).status).toBe(403);
  });

  it('denies everything with an ALLOW policy without rules', async () => {
    // The empty policy renders no RBAC policy of its own: a never-matching DENY marks the update.
    await mesh.apply(policy('allow-nothing', 'action: ALLOW') + policy('marker-empty', `action: DENY
rules:
- to: [{ operation: { paths: ["/never"] } }]`), 'policy[marker-empty]');
    expect((await mesh.call('/')).status).toBe(403);
    expect((await mesh.call('/anything', { method: 'POST' })).status).toBe(403);
  });

  it('evaluates DENY before ALLOW, and counts denials with the matched policy', async () => {
    await mesh.apply(
      policy('allow-all-get', `rules:
- to: [{ operation: { methods: ["GET"] } }]`) + policy('deny-admin', `action: DENY
rules:
- to: [{ operation: { paths: ["/admin*"] } }]`),
      'policy[deny-admin]',
    );
    expect((await mesh.call('/public')).status).toBe(200);
    const r = await mesh.call('/admin/users');
    expect(r.status).toBe(403);
    expect(r.body).toBe('RBAC: access denied');
    const stats = (await mesh.adminGet('/stats')).body;
    expect(stats).toMatch(/http\.inbound_127\.0\.78\.10_9080\.rbac\.policy\.ns\[default\]-policy\[deny-admin\]-rule\[0\]\.denied: [1-9]/);
    expect(stats).toMatch(/rbac\.denied: [1-9]/);
    const prom = (await mesh.adminGet('/stats/prometheus')).body;
    expect(requestsTotal(prom, { response_code: '403', reporter: 'destination' })).toBeGreaterThan(0);
  });

  it('matches source ipBlocks and notIpBlocks', async () => {
    await mesh.apply(policy('ip-blocks', `rules:
- from: [{ source: { ipBlocks: ["127.0.78.0/28"], notIpBlocks: ["127.0.78.5"] } }]`), 'policy[ip-blocks]');
    expect((await mesh.call('/', { from: '127.0.78.3' })).status).toBe(200);
    expect((await mesh.call('/', { from: '127.0.78.5' })).status).toBe(403);
    expect((await mesh.call('/', { from: '127.0.78.40' })).status).toBe(403);
  });

  it('matches header conditions', async () => {
    await mesh.apply(policy('when-header', `rules:
- when:
  - key: request.headers[x-team]
    values: ["blue", "green*"]
    notValues: ["greenish"]`), 'policy[when-header]');
    expect((await mesh.call('/', { headers: { 'x-team': 'blue' } })).status).toBe(200);
    expect((await mesh.call('/', { headers: { 'x-team': 'green-2' } })).status).toBe(200);
    expect((await mesh.call('/', { headers: { 'x-team': 'greenish' } })).status).toBe(403);
    expect((await mesh.call('/', { headers: { 'x-team': 'red' } })).status).toBe(403);
    expect((await mesh.call('/')).status).toBe(403);
  });

  it('matches hosts and ports', async () => {
    await mesh.apply(policy('hosts-ports', `rules:
- to: [{ operation: { hosts: ["reviews:9080", "*.example.com"], ports: ["9080"] } }]`), 'policy[hosts-ports]');
    expect((await mesh.call('/')).status).toBe(200);
    expect((await mesh.call('/', { headers: { host: 'api.EXAMPLE.com' } })).status).toBe(200);
    expect((await mesh.call('/', { headers: { host: 'other:9080' } })).status).toBe(403);
  });

});
