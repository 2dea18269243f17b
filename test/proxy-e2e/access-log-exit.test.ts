/**
 * The access log is written in batches; whatever is still buffered when
 * `meshform proxy` is told to stop (SIGTERM, /quitquitquit) is written before
 * it exits, with Envoy's response flags.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane, SILENT, startControlPlane } from '../../runtime/control-plane';
import { BIN, ensureBuilt, ROOT } from '../support/built-lib';
import { killAndWait } from '../support/child-process';
import { unusedPort } from '../support/ports';
import { admin, eventually, request, serviceYaml, sidecarYaml, startUpstream, tempDir, Upstream } from './harness';

describe('meshform proxy access log on exit', () => {
  let plane: ControlPlane | undefined;
  let upstream: Upstream | undefined;
  let child: ChildProcess | undefined;
  let dir = '';

  beforeAll(() => ensureBuilt(), 180_000);

  afterEach(async () => {
    await killAndWait(child);
    child = undefined;
    await plane?.close();
    await upstream?.close();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = async (bind: string, upstreamAddress: string, stop: (adminPort: number, proxy: ChildProcess) => Promise<void>): Promise<string[]> => {
    upstream = await startUpstream('v1', upstreamAddress);
    dir = tempDir('access-log-exit');
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), serviceYaml('reviews', [upstream]) + sidecarYaml(bind));
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 50, logger: SILENT });
    const adminPort = await unusedPort();
    let stdout = '';
    let stderr = '';
    const proxy = spawn(process.execPath, [BIN, 'proxy', '--xds-address', `127.0.0.1:${plane.xdsPort}`,
      '--node-id', `sidecar~${bind}~client-0.default~default.svc.cluster.local`, '--labels', 'app=client',
      '--admin-port', String(adminPort), '--drain-ms', '1000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proxy;
    proxy.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    proxy.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => proxy.once('exit', (code) => resolve(code)));
    await eventually(`the proxy ready (stderr: ${stderr})`, async () => (await admin(adminPort, '/ready').catch(() => ({ status: 0 }))).status === 200, 15_000);
    for (let i = 0; i < 20; i++) expect((await request(bind, 9080, `/ok/${i}`)).status).toBe(200);
    // An answer with a response flag: 503 from the upstream, retried by the default policy until the retries run out (URX).
    upstream.failWith = 503;
    expect((await request(bind, 9080, '/failing')).status).toBe(503);
    await stop(adminPort, proxy);
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 8000))])).toBe(0);
    return stdout.split('\n').filter((l) => l !== '');
  };

  const expectComplete = (lines: string[]): void => {
    for (let i = 0; i < 20; i++) expect(lines.filter((l) => l.includes(`"GET /ok/${i} HTTP/1.1" 200 - via_upstream `))).toHaveLength(1);
    const failed = lines.filter((l) => l.includes('"GET /failing HTTP/1.1" 503 '));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/" 503 URX via_upstream /);
    expect(failed[0]).toMatch(/ outbound\|9080\|\|reviews\.default\.svc\.cluster\.local$/);
    // Every line is whole: `[start time] "method path protocol" ...`.
    for (const l of lines) expect(l).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET /);
  };

  test('SIGTERM: every request is logged before the process exits', async () => {
    expectComplete(await run('127.0.81.1', '127.0.81.11', async (_admin, proxy) => {
      proxy.kill('SIGTERM');
    }));
  }, 40_000);

  test('/quitquitquit: every request is logged before the process exits', async () => {
    expectComplete(await run('127.0.81.2', '127.0.81.12', async (adminPort) => {
      expect((await admin(adminPort, '/quitquitquit')).status).toBe(200);
    }));
  }, 40_000);
});
