/**
 * The proxy's admin endpoints, in process and as `meshform proxy` in its own
 * process (built lib/), against an in-process control plane.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane, SILENT, startControlPlane } from '../../runtime/control-plane';
import { BIN, ensureBuilt, ROOT } from '../support/built-lib';
import { killAndWait } from '../support/child-process';
import { unusedPort } from '../support/ports';
import { eventually, Mesh, request, requestsTotal, serviceYaml, sidecarYaml, startMesh, startUpstream, tempDir, Upstream, admin } from './harness';

describe('proxy admin endpoints', () => {
  let mesh: Mesh | undefined;
  let upstream: Upstream | undefined;

  beforeAll(async () => {
    upstream = await startUpstream('v1', '127.0.79.11');
    mesh = await startMesh({ 'services.yaml': serviceYaml('reviews', [upstream]), 'sidecar.yaml': sidecarYaml('127.0.79.1') }, '127.0.79.1', '127.0.79.2');
    expect((await mesh.get('/')).status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    await mesh?.close();
    await upstream?.close();
  });

  test('/ready answers 200 once the listeners are live', async () => {
    const r = await mesh!.adminGet('/ready');
    expect(r.status).toBe(200);
    expect(r.body).toBe('LIVE\n');
  });

  test('/config_dump holds the listener, route and cluster configuration', async () => {
    const dump = JSON.parse((await mesh!.adminGet('/config_dump')).body) as { configs: { '@type': string }[] };
    const text = JSON.stringify(dump);
    expect(dump.configs.map((c) => c['@type'])).toEqual(expect.arrayContaining([expect.stringMatching(/ListenersConfigDump$/), expect.stringMatching(/ClustersConfigDump$/)]));
    expect(text).toContain('127.0.79.1_9080');
    expect(text).toContain('outbound|9080||reviews.default.svc.cluster.local');
  });

  test('/clusters lists the upstream host with its counters', async () => {
    const body = (await mesh!.adminGet('/clusters')).body;
    expect(body).toMatch(/^outbound\|9080\|\|reviews\.default\.svc\.cluster\.local::127\.0\.79\.11:\d+::rq_success::[1-9]/m);
    expect(body).toMatch(/::127\.0\.79\.11:\d+::health_flags::healthy$/m);
  });

  test('/stats/prometheus has the Istio standard metrics with source reporter labels', async () => {
    const body = (await mesh!.adminGet('/stats/prometheus')).body;
    expect(requestsTotal(body, {
      reporter: 'source', source_workload: 'client-0', source_app: 'client', destination_service: 'reviews.default.svc.cluster.local',
      destination_service_name: 'reviews', destination_service_namespace: 'default', response_code: '200', response_flags: '-', request_protocol: 'http',
    })).toBeGreaterThanOrEqual(1);
    expect(body).toMatch(/^istio_request_duration_milliseconds_bucket\{.*le="\+Inf"\} [1-9]/m);
    expect(body).toMatch(/^istio_request_bytes_count\{/m);
    expect(body).toMatch(/^istio_response_bytes_count\{/m);
    expect(body).toMatch(/^envoy_cluster_upstream_rq_total\{cluster_name="outbound\|9080\|\|reviews\.default\.svc\.cluster\.local"\} [1-9]/m);
  });

  test('/stats and /server_info', async () => {
    expect((await mesh!.adminGet('/stats')).body).toMatch(/^http\.outbound_127\.0\.79\.1_9080\.downstream_rq_2xx: [1-9]/m);
    const info = JSON.parse((await mesh!.adminGet('/server_info')).body) as { state: string; node: { id: string } };
    expect(info.state).toBe('LIVE');
    expect(info.node.id).toBe('sidecar~127.0.79.2~client-0.default~default.svc.cluster.local');
  });
});

describe('meshform proxy in its own process', () => {
  let plane: ControlPlane | undefined;
  let upstream: Upstream | undefined;
  let child: ChildProcess | undefined;
  let dir = '';

  beforeAll(() => ensureBuilt(), 180_000);

  afterEach(async () => {
    await killAndWait(child);
    await plane?.close();
    await upstream?.close();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves the egress listener with 2 workers, and /quitquitquit drains and exits', async () => {
    upstream = await startUpstream('v1', '127.0.79.21');
    dir = tempDir('proxy-cli');
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), serviceYaml('reviews', [upstream]) + sidecarYaml('127.0.79.20'));
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 50, logger: SILENT });
    const adminPort = await unusedPort();
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, [BIN, 'proxy', '--xds-address', `127.0.0.1:${plane.xdsPort}`,
      '--node-id', 'sidecar~127.0.79.22~client-0.default~default.svc.cluster.local', '--labels', 'app=client',
      '--admin-port', String(adminPort), '--concurrency', '2', '--drain-ms', '1000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    await eventually(`the proxy ready (stderr: ${stderr})`, async () => (await admin(adminPort, '/ready').catch(() => ({ status: 0 }))).status === 200, 15_000);
    for (let i = 0; i < 10; i++) {
      const r = await request('127.0.79.20', 9080, '/');
      expect(r.upstream).toBe('v1');
    }
    const prom = (await admin(adminPort, '/stats/prometheus')).body;
    expect(requestsTotal(prom, { reporter: 'source', destination_service_name: 'reviews', response_code: '200' })).toBe(10);
    await eventually('access log lines', async () => stdout.split('\n').filter((l) => l.includes('"GET / HTTP/1.1" 200 -')).length === 10, 3000);
    expect((await admin(adminPort, '/quitquitquit')).status).toBe(200);
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 8000))])).toBe(0);
  }, 40_000);
});
