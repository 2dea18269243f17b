/**
 * `meshform up` end to end, on loopback: the built command synthesizes the
 * bookinfo app and starts the whole mesh (control plane, apps, sidecars,
 * ingress gateway) as child processes; the assertions go through the ingress
 * gateway as a user would. Scenarios after the first are switched by rewriting
 * VirtualServices in the served config directory (a live update, no restart).
 * Ctrl-C (SIGINT) at the end must stop every process and free every port; the
 * afterAll kills whatever is left even when a test failed.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { writeAtomically } from '../../runtime/local/local-config';
import { BIN, ROOT, ensureBuilt } from '../support/built-lib';
import { bookinfoDocuments } from './bookinfo-manifests';
import { unusedPort } from '../support/ports';
import { alive, bindable, eventually, get, pidsWith } from './support';

const BLOCK = 100 + (process.pid % 150);
const POD = (n: number): string => `127.${BLOCK}.0.${n}`;
/** productpage runs first, so its egress IP is 127.B.1.2. */
const PRODUCTPAGE_EGRESS = `127.${BLOCK}.1.2`;
const REVIEWS_TIMEOUT_MS = 1000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('meshform up (bookinfo on loopback)', () => {
  let dir: string;
  let up: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let exit: Promise<number | null>;
  let ingress: string;
  let monitoring: string;
  let gatewayPort: number;
  let childPids: number[] = [];

  const reviewsVersion = async (user?: string): Promise<string> => {
    const page = await get(`${ingress}/productpage`, user ? { cookie: `user=${user}` } : {});
    expect(page.status).toBe(200);
    if (page.body.includes('reviews-error')) return 'unavailable';
    return /data-reviews-version="([^"]*)"/.exec(page.body)?.[1] ?? 'none';
  };

  /** Replaces VirtualServices of the served manifests with those of `scenario`. */
  const switchScenario = (scenario: 'jason-v2' | 'split-50' | 'ratings-delay', names: readonly string[]): void => {
    const file = path.join(dir, 'state', 'config', 'manifests', 'bookinfo.k8s.yaml');
    const wanted = new Map(bookinfoDocuments(scenario)
      .map((d) => d.object as Json)
      .filter((o) => o.kind === 'VirtualService' && names.includes(o.metadata.name))
      .map((o) => [o.metadata.name as string, o]));
    const docs = (yaml.loadAll(fs.readFileSync(file, 'utf8')) as Json[]).filter((d) => d);
    const next = docs.map((d) => (d.kind === 'VirtualService' && wanted.has(d.metadata.name) ? wanted.get(d.metadata.name) : d));
    writeAtomically(file, next.map((d) => yaml.dump(d, { noRefs: true })).join('---\n'));
  };

  beforeAll(async () => {
    ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-up-'));
    gatewayPort = await unusedPort();
    up = spawn(process.execPath, [
      BIN, 'up', '--app', path.join(ROOT, 'lib/stacks/main.js'), '--output', path.join(dir, 'dist'),
      '--context', 'scenario=jason-v2', '--state-dir', path.join(dir, 'state'), '--address-block', String(BLOCK),
      '--gateway-port', `80=${gatewayPort}`, '--xds-port', '0', '--monitoring-port', '0', '--admin-base-port', '0',
    ], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BOOKINFO_REVIEWS_TIMEOUT_MS: String(REVIEWS_TIMEOUT_MS), BOOKINFO_REVIEWS_RETRIES: '0' },
    });
    up.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    up.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    exit = new Promise((resolve) => up?.once('exit', (code) => resolve(code)));
    await eventually('meshform up ready', async () => {
      if (up?.exitCode !== null) throw new Error(`meshform up exited early (${up?.exitCode}):\n${stdout}\n${stderr}`);
      return stdout.includes('Ctrl-C stops the mesh.');
    }, 80_000).catch((e: Error) => {
      throw new Error(`${e.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    });
    ingress = /Ingress: (http:\/\/\S+)\/productpage/.exec(stdout)![1];
    monitoring = /Control plane: (http:\/\/127\.0\.0\.1:\d+)\/debug\/syncz/.exec(stdout)![1];
    childPids = pidsWith(`127.${BLOCK}.`).concat(pidsWith(path.join(dir, 'state', 'config')));
  }, 100_000);

  afterAll(async () => {
    if (up && up.exitCode === null && up.signalCode === null) {
      up.kill('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 8000))]);
    }
    // Whatever survived (a failed test, a broken supervisor): the pids this test saw started.
    for (const pid of [...childPids, ...pidsWith(`127.${BLOCK}.`)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  test('prints the synthesis summary, the analysis, then a status table with every proxy ready and synced', () => {
    expect(stdout).toMatch(/Synthesized \d+ objects into/);
    expect(stdout).toMatch(/Analysis: (No issues found|[^]*?\b0 errors,)/);
    const rows = stdout.split('\n').filter((l) => /-local-0000\d /.test(l));
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row).toMatch(/ ready +SYNCED +127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`Gateway istio-system/istio-ingressgateway port 80 → ${gatewayPort} on 127.0.0.1`);
    expect(stdout).toContain('fortio is a load client with no local program');
    expect(ingress).toBe(`http://127.0.0.1:${gatewayPort}`);
    // control plane, 7 apps, 7 sidecars, 1 gateway
    expect(new Set(childPids).size).toBe(16);
  });

  test('every proxy speaks delta ADS and holds its virtual hosts over VHDS, synced', async () => {
    const syncz = await get(`${monitoring}/debug/syncz`);
    const streams = JSON.parse(syncz.body) as { nodeId: string; protocol: string; types: Record<string, { status: string }> }[];
    expect(streams).toHaveLength(8);
    for (const s of streams) {
      expect(s.protocol).toBe('delta');
      expect(s.types.VHDS?.status).toBe('SYNCED');
    }
  });

  test('the mesh CA runs with the control plane and every proxy holds its service account\'s certificate', () => {
    const logs = path.join(dir, 'state', 'logs');
    const identities = fs.readdirSync(logs).filter((f) => f.startsWith('proxy_'))
      .map((f) => /workload certificate (spiffe:\/\/\S+)/.exec(fs.readFileSync(path.join(logs, f), 'utf8'))?.[1]);
    expect(identities.sort()).toEqual([
      'spiffe://cluster.local/ns/default/sa/details',
      'spiffe://cluster.local/ns/default/sa/httpbin',
      'spiffe://cluster.local/ns/default/sa/productpage',
      'spiffe://cluster.local/ns/default/sa/ratings',
      'spiffe://cluster.local/ns/default/sa/reviews',
      'spiffe://cluster.local/ns/default/sa/reviews',
      'spiffe://cluster.local/ns/default/sa/reviews',
      'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    ]);
  });

  test('jason-v2: end-user jason sees reviews v2, everybody else v3', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await reviewsVersion('jason')).toBe('v2');
      expect(await reviewsVersion()).toBe('v3');
      expect(await reviewsVersion('alice')).toBe('v3');
    }
    const api = await get(`${ingress}/api/v1/products/0/reviews`, { 'end-user': 'jason' });
    expect(JSON.parse(api.body)).toEqual(expect.objectContaining({ version: 'v2', podname: 'reviews-v2-local-00001' }));
  });

  test('split-50 (a live VirtualService change): v1 and v3 share 200 requests within a binomial tolerance', async () => {
    switchScenario('split-50', ['reviews']);
    await eventually('the split served', async () => (await reviewsVersion()) === 'v1', 10_000);
    const counts: Record<string, number> = {};
    const one = async (): Promise<void> => {
      const r = await get(`${ingress}/api/v1/products/0/reviews`);
      const v = String(JSON.parse(r.body).version);
      counts[v] = (counts[v] ?? 0) + 1;
    };
    for (let i = 0; i < 50; i++) await Promise.all([one(), one(), one(), one()]);
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v3']);
    // n = 200, p = 0.5: sd = 7.07; 4 sd either side.
    expect(counts.v1).toBeGreaterThanOrEqual(72);
    expect(counts.v1).toBeLessThanOrEqual(128);
  }, 30_000);

  test("ratings-delay: jason's page shows reviews unavailable, other users are unaffected", async () => {
    switchScenario('ratings-delay', ['reviews', 'ratings']);
    await eventually('the ratings delay served', async () => (await reviewsVersion('jason')) === 'unavailable', 15_000);
    const page = await get(`${ingress}/productpage`, { cookie: 'user=jason' });
    expect(page.body).toContain('Sorry, product reviews are currently unavailable for this book.');
    const started = Date.now();
    expect(await reviewsVersion('alice')).toBe('v3');
    expect(Date.now() - started).toBeLessThan(REVIEWS_TIMEOUT_MS);
    const stars = await get(`${ingress}/productpage`);
    expect(stars.body).toMatch(/data-stars="\d" data-color="red"/);
  }, 30_000);

  test('httpbin behind its circuit breaker at concurrency 3: some 503s, flagged UO in the calling proxy\'s metrics', async () => {
    const statuses: number[] = [];
    // Called from productpage's pod: its sidecar's egress listener with the mesh Host, as the app would.
    const call = async (): Promise<void> => {
      statuses.push((await get(`http://${PRODUCTPAGE_EGRESS}:8000/delay/0.2`, { host: 'httpbin:8000' })).status);
    };
    for (let round = 0; round < 4; round++) await Promise.all([call(), call(), call()]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    const admin = /^productpage-v1-local-00001 .* (127\.0\.0\.1:\d+)$/m.exec(stdout)![1];
    const metrics = (await get(`http://${admin}/stats/prometheus`)).body;
    const uo = metrics.split('\n').filter((l) => l.startsWith('istio_requests_total{') && l.includes('destination_service_name="httpbin"') && l.includes('response_flags="UO"'));
    expect(uo).toHaveLength(1);
    expect(uo[0]).toContain('response_code="503"');
  }, 30_000);

  test('a broken YAML in the config dir is reported by file name; traffic keeps flowing on the last good config', async () => {
    fs.writeFileSync(path.join(dir, 'state', 'config', 'broken.yaml'), 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x\n  spec: [\n');
    await eventually('the error reported by meshform up', async () => /control-plane: .*broken\.yaml/.test(stderr), 10_000);
    const errors = JSON.parse((await get(`${monitoring}/debug/config_errors`)).body) as Json;
    expect(JSON.stringify(errors.config)).toContain('broken.yaml');
    expect(await reviewsVersion('alice')).toBe('v3');
    expect(await reviewsVersion('jason')).toBe('unavailable');
  }, 20_000);

  test('Ctrl-C stops every process and frees every port', async () => {
    expect(childPids.every(alive)).toBe(true);
    up!.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stdout).toContain('SIGINT received: stopping 16 processes');
    expect(stdout).toContain('stopped: all 16 processes have exited');
    expect(childPids.filter(alive)).toEqual([]);
    expect(pidsWith(`127.${BLOCK}.`)).toEqual([]);
    expect(await bindable('127.0.0.1', gatewayPort)).toBe(true);
    for (let n = 2; n <= 8; n++) expect(await bindable(POD(n), n === 8 ? 8080 : 9080)).toBe(true);
  }, 20_000);
});
