/**
 * The monitoring endpoints and push behaviour of `meshform control-plane`
 * (in-process), driven by raw ADS clients: readiness, metrics, syncz with ACKs
 * and a NACK, config dumps, EDS-only pushes, proxies skipped when a change
 * cannot affect them, and a failing translation that keeps the last good snapshot.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane, ProxySyncView, startControlPlane } from '../../runtime/control-plane';
import type { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { ProxyIdentity, TranslateOptions, translate } from '../../runtime/xds/translate';
import { getJson, httpGet, memoryLogger, RawAdsClient, tempDir, waitFor, writeAtomically } from './support';

const APP = 'sidecar~127.0.0.5~app-0.default~default.svc.cluster.local';
const OTHER = 'sidecar~127.0.0.6~lonely-0.other~other.svc.cluster.local';
const CLUSTER = 'outbound|7070||echo.default.svc.cluster.local';

function workloadEntry(address: string): string {
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: echo-1, namespace: default }
spec: { address: ${address}, ports: { grpc: 7070 }, labels: { app: echo } }
`;
}

const MESH = `apiVersion: v1
kind: Service
metadata: { name: echo, namespace: default }
spec: { selector: { app: echo }, ports: [{ name: grpc, port: 7070 }] }
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: own-namespace-only, namespace: other }
spec:
  egress: [{ hosts: ["./*"] }]
`;

function vs(timeout: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http: [{ timeout: ${timeout}, route: [{ destination: { host: echo } }] }]
`;
}

describe('meshform control-plane monitoring and pushes', () => {
  let dir: string;
  let plane: ControlPlane | undefined;
  const clients: RawAdsClient[] = [];
  const logger = memoryLogger();
  let failFor: string | undefined;
  const base = (): string => `http://127.0.0.1:${plane!.monitoringPort}`;
  const syncz = (): Promise<ProxySyncView[]> => getJson<ProxySyncView[]>(`${base()}/debug/syncz`);
  const metric = async (line: RegExp): Promise<number | undefined> => {
    const text = (await httpGet(`${base()}/metrics`)).body;
    const m = text.split('\n').find((l) => line.test(l));
    return m === undefined ? undefined : Number(m.slice(m.lastIndexOf(' ') + 1));
  };
  const connect = (nodeId: string, namespace: string): RawAdsClient => {
    const c = new RawAdsClient(plane!.xdsPort, nodeId, { NAMESPACE: namespace });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = tempDir('monitoring');
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), MESH);
    fs.writeFileSync(path.join(dir, 'we.yaml'), workloadEntry('127.0.0.21'));
    fs.writeFileSync(path.join(dir, 'vs.yaml'), vs('5s'));
    const failing = (snapshot: ConfigSnapshot, proxy: ProxyIdentity, options: TranslateOptions) => {
      if (proxy.id === failFor) throw new Error('boom: translation failed on purpose');
      return translate(snapshot, proxy, options);
    };
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 30, logger, translate: failing });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('/ready answers 200 once the config is loaded; unknown paths 404', async () => {
    expect((await httpGet(`${base()}/ready`)).status).toBe(200);
    expect((await httpGet(`${base()}/nope`)).status).toBe(404);
  });

  test('syncz shows an ACK and a NACK; the NACK is counted in /metrics and logged', async () => {
    const app = connect(APP, 'default');
    app.subscribe(TypeUrl.Cluster);
    const cds = await waitFor('CDS', () => app.latest(TypeUrl.Cluster));
    app.nack(cds, 'cluster rejected by the test');
    app.subscribe(TypeUrl.Listener);
    const lds = await waitFor('LDS', () => app.latest(TypeUrl.Listener));
    app.ack(lds);
    const view = await waitFor('syncz with ACK and NACK', async () => {
      const v = (await syncz()).find((p) => p.nodeId === APP);
      return v?.types.LDS?.acked !== undefined && v.types.CDS?.lastNack !== undefined ? v : undefined;
    });
    expect(view.types.LDS).toEqual(expect.objectContaining({ acked: lds.version_info, status: 'SYNCED' }));
    expect(view.types.CDS).toEqual(expect.objectContaining({ nacked: cds.version_info, lastNack: 'cluster rejected by the test', nackCount: 1, status: 'NACKED' }));
    expect(await metric(/^meshform_xds_nacks_total\{type="CDS"\}/)).toBe(1);
    expect(logger.text()).toMatch(/NACK from sidecar~127\.0\.0\.5.* CDS .*cluster rejected by the test/);
  });

  test('/metrics has the control-plane metrics; config_dump returns the proxy resources', async () => {
    const text = (await httpGet(`${base()}/metrics`)).body;
    for (const name of [
      'meshform_connected_proxies', 'meshform_xds_pushes_total', 'meshform_xds_nacks_total', 'meshform_push_latency_seconds',
      'meshform_convergence_seconds', 'meshform_config_errors_total', 'meshform_config_errors', 'meshform_translation_errors_total',
      'meshform_translate_duration_seconds', 'meshform_xds_connected_streams',
    ]) expect(text).toContain(`# TYPE ${name} `);
    expect(await metric(/^meshform_connected_proxies /)).toBe(1);
    const dump = await getJson<{ clusters: { name: string }[]; listeners: unknown[]; endpoints: { cluster_name: string }[]; versions: Record<string, string> }>(
      `${base()}/debug/config_dump?proxyID=${encodeURIComponent(APP)}`);
    expect(dump.clusters.map((c) => c.name)).toContain(CLUSTER);
    expect(dump.endpoints.map((e) => e.cluster_name)).toContain(CLUSTER);
    expect(dump.listeners.length).toBeGreaterThan(0);
    expect((await httpGet(`${base()}/debug/config_dump?proxyID=nobody`)).status).toBe(404);
  });

  test('an endpoint change pushes EDS only; the ACK is timed as convergence', async () => {
    const app = clients[0] as RawAdsClient;
    app.subscribe(TypeUrl.ClusterLoadAssignment, [CLUSTER]);
    const first = await waitFor('EDS', () => app.latest(TypeUrl.ClusterLoadAssignment));
    app.ack(first, [CLUSTER]);
    const before = plane!.cache.getSnapshot(APP)!;
    writeAtomically(path.join(dir, 'we.yaml'), workloadEntry('127.0.0.22'));
    const next = await waitFor('a new EDS response', () => {
      const r = app.latest(TypeUrl.ClusterLoadAssignment);
      return r && r.version_info !== first.version_info ? r : undefined;
    });
    expect(JSON.stringify(app.resources(TypeUrl.ClusterLoadAssignment))).toContain('127.0.0.22');
    const after = plane!.cache.getSnapshot(APP)!;
    for (const t of [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster]) expect(after.version(t)).toBe(before.version(t));
    expect(after.version(TypeUrl.ClusterLoadAssignment)).not.toBe(before.version(TypeUrl.ClusterLoadAssignment));
    app.ack(next, [CLUSTER]);
    await waitFor('convergence observed', async () => ((await metric(/^meshform_convergence_seconds_count\{type="EDS"\}/)) ?? 0) >= 1);
    expect(await metric(/^meshform_snapshots_published_total\{scope="eds"\}/)).toBe(1);
  });

  test('a proxy whose Sidecar sees only its own namespace is not recomputed for a change in another', async () => {
    connect(OTHER, 'other').subscribe(TypeUrl.Cluster);
    await waitFor('the other proxy snapshot', () => plane!.cache.getSnapshot(OTHER));
    const lines = logger.lines.length;
    writeAtomically(path.join(dir, 'vs.yaml'), vs('6s'));
    const line = await waitFor('the change handled', () => logger.lines.slice(lines).find((l) => /config: version \d+: 1 object/.test(l)));
    expect(line).toMatch(/1 proxy\(ies\) recomputed, 1 not affected/);
  });

  test('a translation that throws keeps the last good snapshot, and is logged and counted', async () => {
    const before = plane!.cache.getSnapshot(APP);
    failFor = APP;
    writeAtomically(path.join(dir, 'vs.yaml'), vs('7s'));
    await waitFor('the failure logged', () => logger.text().includes('boom: translation failed on purpose'));
    expect(plane!.cache.getSnapshot(APP)).toBe(before);
    expect(await metric(/^meshform_translation_errors_total /)).toBe(1);
    const errors = await getJson<{ translation: { nodeId: string; message: string }[] }>(`${base()}/debug/config_errors`);
    expect(errors.translation).toEqual([expect.objectContaining({ nodeId: APP, message: expect.stringContaining('boom') })]);
    failFor = undefined;
  });
});
