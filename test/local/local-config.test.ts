/**
 * From the synthesized bookinfo manifests to what the control plane serves:
 * topology, address plan, generated Sidecars and EndpointSlices, and the
 * translation of that config for a local sidecar and the local ingress gateway.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateObject } from '../../constructs/api';
import { ConfigStore } from '../../runtime/config/config-store';
import { FileConfigSource } from '../../runtime/config/file-source';
import { endpointSlices, localDocument, replicaSidecar, writeGenerated, writeManifests } from '../../runtime/local/local-config';
import { countProxies, ingressUrl, LOCAL_POD_LABEL, LocalPlan, planLocalMesh } from '../../runtime/local/local-plan';
import { readTopology } from '../../runtime/local/topology';
import { plannedBinds, topologyChanges } from '../../runtime/local/local-mesh';
import { translate } from '../../runtime/xds/translate';
import { proxyIdentity } from '../../runtime/xds/translate/proxy-identity';
import { expectIndependentlyValid } from '../support/independent-validate';
import { bookinfoDocuments, bookinfoFiles } from './bookinfo-manifests';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function plan(block = 0, replicas?: number): { plan: LocalPlan; topology: ReturnType<typeof readTopology> } {
  const topology = readTopology(bookinfoDocuments('jason-v2', replicas));
  return { topology, plan: planLocalMesh(topology, { addressBlock: block, adminPort: (i) => 15100 + i }) };
}

describe('topology from the synthesized manifests', () => {
  const topology = readTopology(bookinfoDocuments());

  test('workloads by app and version, the gateway, and what is not run', () => {
    expect(topology.workloads.map((w) => `${w.app}:${w.version}:${w.replicas}:${w.injected}`)).toEqual([
      'productpage:v1:1:true', 'details:v1:1:true', 'reviews:v1:1:true', 'reviews:v2:1:true', 'reviews:v3:1:true',
      'ratings:v1:1:true', 'httpbin:v1:1:true', 'fortio:v1:1:true',
    ]);
    expect(topology.workloads[0].ports).toEqual([{ containerPort: 9080, name: 'http' }]);
    expect(topology.gateways.map((g) => `${g.namespace}/${g.deployment}`)).toEqual(['istio-system/istio-ingressgateway']);
    expect(topology.gateways[0].gateways.map((g) => g.name)).toEqual(['istio-ingressgateway']);
    expect(topology.notes).toEqual([expect.stringContaining('istio-system/meshform: the control plane')]);
    expect(topology.services.find((s) => s.name === 'httpbin')?.ports).toEqual([{ name: 'http', port: 8000, targetPort: 80 }]);
  });

  test('a change of replicas is a topology change; a change of routes is not', () => {
    expect(topologyChanges(topology, readTopology(bookinfoDocuments('split-50')))).toEqual([]);
    expect(topologyChanges(topology, readTopology(bookinfoDocuments('jason-v2', 2)))).toEqual(
      expect.arrayContaining(['Deployment default/reviews-v2 changed']),
    );
  });
});

describe('address plan', () => {
  test('every replica has its own pod, egress and app address; fortio is skipped with a note', () => {
    const { plan: p, topology } = plan();
    expect(p.replicas.map((r) => `${r.podName} ${r.podIp} ${r.egressIp} ${r.appIp}`)).toEqual([
      'productpage-v1-local-00001 127.0.0.2 127.0.1.2 127.0.2.2',
      'details-v1-local-00001 127.0.0.3 127.0.1.3 127.0.2.3',
      'reviews-v1-local-00001 127.0.0.4 127.0.1.4 127.0.2.4',
      'reviews-v2-local-00001 127.0.0.5 127.0.1.5 127.0.2.5',
      'reviews-v3-local-00001 127.0.0.6 127.0.1.6 127.0.2.6',
      'ratings-v1-local-00001 127.0.0.7 127.0.1.7 127.0.2.7',
      'httpbin-v1-local-00001 127.0.0.8 127.0.1.8 127.0.2.8',
    ]);
    expect(p.notes).toEqual(expect.arrayContaining([expect.stringContaining('fortio is a load client with no local program')]));
    expect(p.replicas[0].proxy?.nodeId).toBe('sidecar~127.0.0.2~productpage-v1-local-00001.default~default.svc.cluster.local');
    expect(p.replicas[0].proxy?.labels).toEqual(expect.objectContaining({ app: 'productpage', version: 'v1', [LOCAL_POD_LABEL]: 'productpage-v1-local-00001' }));
    expect(p.replicas[0].egressPorts.map((e) => e.local)).toEqual([8000, 9080]);
    expect(countProxies(topology)).toBe(8);
  });

  test('privileged ports are mapped: httpbin 80 → 8080, the gateway 80 → 8080 on 127.0.0.1', () => {
    const { plan: p } = plan();
    expect(p.replicas.find((r) => r.workload.app === 'httpbin')?.ports).toEqual([{ declared: 80, local: 8080, name: 'http', protocol: 'HTTP' }]);
    expect(p.routers[0].proxy.nodeId).toBe('router~127.0.0.9~istio-ingressgateway-local-00001.istio-system~istio-system.svc.cluster.local');
    expect(p.routers[0].listeners.map((l) => `${l.declared}->${l.bind}:${l.local}`)).toEqual(['80->127.0.0.1:8080']);
    expect(p.portMappings).toEqual(['httpbin-v1 (default) port 80 → 8080', 'Gateway istio-system/istio-ingressgateway port 80 → 8080 on 127.0.0.1']);
    expect(ingressUrl(p)).toBe('http://127.0.0.1:8080');
  });

  test('another address block, replicas, and given gateway ports', () => {
    const topology = readTopology(bookinfoDocuments('jason-v2', 2));
    const p = planLocalMesh(topology, { addressBlock: 42, gatewayPorts: new Map([[80, 18080]]), adminPort: (i) => 20000 + i });
    expect(p.replicas).toHaveLength(14);
    expect(p.replicas[1]).toEqual(expect.objectContaining({ podName: 'productpage-v1-local-00002', podIp: '127.42.0.3', appIp: '127.42.2.3' }));
    expect(ingressUrl(p)).toBe('http://127.0.0.1:18080');
    const binds = plannedBinds(p, 1, 2);
    expect(new Set(binds.map((b) => `${b.host}:${b.port}`)).size).toBe(binds.length);
  });
});

describe('generated config', () => {
  test('the Sidecar of a replica: ingress on the pod IP to the app IP, egress on the egress IP, capture-less', () => {
    const { plan: p } = plan();
    const sidecar = replicaSidecar(p.replicas[3]);
    expect(sidecar).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'reviews-v2-local-00001', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'meshform-up' } },
      spec: {
        workloadSelector: { labels: { [LOCAL_POD_LABEL]: 'reviews-v2-local-00001' } },
        ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, bind: '127.0.0.5', defaultEndpoint: '127.0.2.5:9080', captureMode: 'NONE' }],
        egress: [8000, 9080].map((port) => ({
          port: { number: port, protocol: 'HTTP', name: `http-${port}` }, bind: '127.0.1.5', captureMode: 'NONE', hosts: ['./*', 'istio-system/*'],
        })),
      },
    });
  });

  test('Sidecars, EndpointSlices and the localized Gateway pass our validator and the independent one', () => {
    const { plan: p, topology } = plan();
    const sidecars = p.replicas.map(replicaSidecar);
    const gateway = bookinfoDocuments().map((d) => localDocument(d.object, p)).find((o) => (o as Json).kind === 'Gateway') as Json;
    expect(gateway.spec.servers[0]).toEqual(expect.objectContaining({ port: { name: 'http-80', number: 8080, protocol: 'HTTP' }, bind: '127.0.0.1' }));
    for (const o of [...sidecars, gateway]) expect(validateObject(o)).toEqual(expect.objectContaining({ ok: true }));
    expectIndependentlyValid([...sidecars, gateway]);
    const slices = endpointSlices(topology, p) as Json[];
    expect(slices.map((s) => `${s.metadata.name}:${s.endpoints.map((e: Json) => e.addresses[0]).join(',')}:${s.ports[0].port}`)).toEqual([
      'productpage-local-0:127.0.0.2:9080', 'details-local-0:127.0.0.3:9080', 'reviews-local-0:127.0.0.4,127.0.0.5,127.0.0.6:9080',
      'ratings-local-0:127.0.0.7:9080', 'httpbin-local-0:127.0.0.8:8080',
    ]);
  });
});

describe('the translation of the local config', () => {
  let dir: string;
  let store: ConfigStore;
  const { plan: p, topology } = plan();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-local-'));
    writeManifests(dir, bookinfoFiles(), p);
    writeGenerated(dir, topology, p);
    store = new ConfigStore();
    await store.addSource(new FileConfigSource({ directory: dir, watch: false }));
  });

  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the files read without problems', () => {
    expect(store.snapshot().problems.map((x) => x.message)).toEqual([]);
  });

  test("productpage's sidecar: inbound on its pod IP to the app, egress on its egress IP, reviews endpoints at the pod IPs", () => {
    const r = p.replicas[0];
    const identity = proxyIdentity({ id: r.proxy!.nodeId, metadata: { NAMESPACE: 'default', LABELS: r.proxy!.labels, INTERCEPTION_MODE: 'NONE' } });
    const out = translate(store.snapshot(), identity);
    const listeners = out.listeners.map((l) => String(l.name));
    expect(listeners).toEqual(expect.arrayContaining(['127.0.0.2_9080', '127.0.1.2_9080', '127.0.1.2_8000']));
    expect(listeners).not.toEqual(expect.arrayContaining(['virtualOutbound']));
    expect(listeners).not.toEqual(expect.arrayContaining(['virtualInbound']));
    const inbound = out.clusters.find((c) => c.name === 'inbound|9080||') as Json;
    expect(JSON.stringify(inbound)).toContain('127.0.2.2');
    const reviewsV2 = out.endpoints.find((e) => e.cluster_name === 'outbound|9080|v2|reviews.default.svc.cluster.local') as Json;
    expect(reviewsV2.endpoints[0].lb_endpoints.map((e: Json) => e.endpoint.address.socket_address)).toEqual([{ address: '127.0.0.5', port_value: 9080 }]);
    const httpbin = out.endpoints.find((e) => e.cluster_name === 'outbound|8000||httpbin.default.svc.cluster.local') as Json;
    expect(httpbin.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.8', port_value: 8080 });
  });

  test('the ingress gateway listens on 127.0.0.1:8080', () => {
    const g = p.routers[0];
    const identity = proxyIdentity({ id: g.proxy.nodeId, metadata: { NAMESPACE: 'istio-system', LABELS: g.proxy.labels } });
    const out = translate(store.snapshot(), identity);
    const listener = out.listeners.find((l) => l.name === '127.0.0.1_8080') as Json;
    expect(listener.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 8080 });
    expect(out.routes.map((r) => String(r.name))).toEqual(['http.8080']);
  });
});
