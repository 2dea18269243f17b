/**
 * ClusterState from what the control plane serves for Istio's httpbin
 * circuit-breaker sample (DestinationRule: maxConnections 1, http1MaxPendingRequests 1,
 * consecutive5xxErrors 1, baseEjectionTime 3m, maxEjectionPercent 100), through
 * the translation and the xDS decoders.
 */
import { parseYamlDocuments } from '../../runtime/config/yaml-files';
import { readManifest } from '../../runtime/config/manifest-reader';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import type { ConfigObject } from '../../runtime/config/config-object';
import { proxyIdentity, translate } from '../../runtime/xds/translate';
import { Cluster, ClusterLoadAssignment, decodeCluster, decodeClusterLoadAssignment } from '../../runtime/xds/resources';
import { ClusterState, ManualClock, SeededRandom } from '../../runtime/proxy/cluster';

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: default}
spec:
  clusterIP: 10.96.0.40
  selector: {app: httpbin}
  ports: [{name: http, port: 8000}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: httpbin-abc, namespace: default, labels: {kubernetes.io/service-name: httpbin}}
addressType: IPv4
ports: [{name: http, port: 8000}]
endpoints:
- addresses: ["10.0.3.1"]
  conditions: {ready: true}
- addresses: ["10.0.3.2"]
  conditions: {ready: true}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: default}
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 1}
      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 3m
      maxEjectionPercent: 100
`;
const NAME = 'outbound|8000||httpbin.default.svc.cluster.local';

function translated(): { cluster: Cluster; assignment: ClusterLoadAssignment } {
  const objects: ConfigObject[] = [];
  for (const doc of parseYamlDocuments(MESH, 'httpbin.yaml')) {
    const r = readManifest(doc.object as Record<string, unknown>, { source: 'test', file: 'httpbin.yaml', index: doc.index }, 'default');
    if (r.type === 'invalid') throw new Error(r.errors.join('; '));
    if (r.type === 'object') objects.push(r.object);
  }
  const resources = translate(ConfigSnapshot.of(objects), proxyIdentity({
    id: 'sidecar~10.0.0.5~sleep-1.default~default.svc.cluster.local', metadata: { LABELS: { app: 'sleep' } },
  }));
  const c = decodeCluster(resources.clusters.find((x) => x.name === NAME));
  const a = decodeClusterLoadAssignment(resources.endpoints.find((x) => x.cluster_name === NAME));
  if (!c.ok) throw new Error(c.errors.join('\n'));
  if (!a.ok) throw new Error(a.errors.join('\n'));
  return { cluster: c.value, assignment: a.value };
}

describe('httpbin circuit-breaker DestinationRule, as translated and decoded', () => {
  const { cluster, assignment } = translated();
  const clock = new ManualClock();
  const state = ClusterState.create(cluster, assignment, { clock, random: new SeededRandom(1) });
  afterAll(() => state.close());

  it('carries the thresholds and outlier settings', () => {
    expect(state.cluster.circuitBreakers.default).toMatchObject({ maxConnections: 1, maxPendingRequests: 1 });
    expect(state.cluster.outlierDetection).toMatchObject({ consecutive5xx: 1, baseEjectionTimeMs: 180_000, maxEjectionFraction: 1, intervalMs: 1000 });
    expect(state.hosts().map((h) => h.key).sort()).toEqual(['10.0.3.1:8000', '10.0.3.2:8000']);
  });

  it('trips at the second connection and the second pending request', () => {
    const cb = state.circuitBreakers.default;
    expect(cb.tryAcquireConnection()).toBe(true);
    expect(cb.tryAcquireConnection()).toBe(false);
    expect(cb.tryAcquirePendingRequest()).toBe(true);
    expect(cb.tryAcquirePendingRequest()).toBe(false);
    expect(state.stats.upstream_cx_overflow).toBe(1);
    expect(state.stats.upstream_rq_pending_overflow).toBe(1);
    cb.releaseConnection();
    cb.releasePendingRequest();
  });

  it('ejects a host on its first 5xx, both hosts if both fail (100%), for 180 s', () => {
    const [a, b] = state.hosts();
    state.onResponse(a, 502);
    expect(a.outlier.ejected).toBe(true);
    state.onResponse(b, 500);
    expect(b.outlier.ejected).toBe(true);
    expect(state.stats.outlier_detection.ejections_active).toBe(2);
    // Every host ejected: the level is in panic and still balances over both.
    expect(state.chooseHost()).toBeDefined();
    clock.advance(179_000);
    expect(a.outlier.ejected).toBe(true);
    clock.advance(1000);
    expect([a.outlier.ejected, b.outlier.ejected]).toEqual([false, false]);
  });
});
