/**
 * The built command on the synthesized bookinfo mesh: `meshform synth` writes
 * the manifests, `meshform control-plane --config <them>` serves them (as a child
 * process), and a raw ADS client posing as reviews-v1's sidecar receives its
 * listeners, the "9080" route configuration with the reviews routes, and the
 * reviews subset clusters.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { BIN, ROOT, ensureBuilt, meshform } from '../support/built-lib';
import { httpGet, RawAdsClient, tempDir, waitFor } from './support';

const NODE_ID = 'sidecar~127.0.0.1~reviews-v1-x.default~default.svc.cluster.local';
const REVIEWS = 'reviews.default.svc.cluster.local';

describe('meshform control-plane --config <synthesized bookinfo>', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let client: RawAdsClient | undefined;
  let stderr = '';

  beforeAll(async () => {
    ensureBuilt();
    dir = tempDir('bookinfo');
    const synth = meshform(['synth', '--app', path.join(ROOT, 'lib/stacks/main.js'), '-o', dir]);
    if (synth.code !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    child = spawn(process.execPath, [BIN, 'control-plane', '--config', dir, '--xds-port', '0', '--monitoring-port', '0', '--debounce-ms', '50'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (t: string) => (stderr += t));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a sidecar of reviews-v1 receives listeners, route 9080 with the reviews routes and the subset clusters', async () => {
    const xdsPort = Number(await waitFor(`the xDS port in the log (${stderr})`, () => /xds: listening on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1], 10_000));
    const monitoringPort = Number(/monitoring: listening on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
    expect((await httpGet(`http://127.0.0.1:${monitoringPort}/ready`)).status).toBe(200);

    client = new RawAdsClient(xdsPort, NODE_ID, { NAMESPACE: 'default', LABELS: { app: 'reviews', version: 'v1' } });
    client.subscribe(TypeUrl.Cluster);
    client.subscribe(TypeUrl.Listener);
    client.subscribe(TypeUrl.RouteConfiguration, ['9080']);
    const clusters = await waitFor('CDS', () => client?.latest(TypeUrl.Cluster) && client.resources(TypeUrl.Cluster).map((c) => String(c.name)));
    expect(clusters).toEqual(expect.arrayContaining([
      `outbound|9080||${REVIEWS}`, `outbound|9080|v1|${REVIEWS}`, `outbound|9080|v2|${REVIEWS}`, `outbound|9080|v3|${REVIEWS}`,
    ]));
    const listeners = await waitFor('LDS', () => client?.latest(TypeUrl.Listener) && client.resources(TypeUrl.Listener));
    expect(listeners.length).toBeGreaterThan(0);
    const routes = await waitFor('RDS', () => client?.latest(TypeUrl.RouteConfiguration) && client.resources(TypeUrl.RouteConfiguration));
    expect(routes.map((r) => r.name)).toEqual(['9080']);
    const hosts = routes[0]?.virtual_hosts as { name: string; domains: string[]; routes: { route?: { cluster?: string; weighted_clusters?: unknown } }[] }[];
    const reviews = hosts.find((h) => h.name === `${REVIEWS}:9080`);
    expect(reviews?.domains).toEqual(expect.arrayContaining(['reviews', `reviews:9080`, REVIEWS]));
    expect(JSON.stringify(reviews?.routes)).toMatch(/outbound\|9080\|v\d\|reviews\.default\.svc\.cluster\.local/);
  });
});
