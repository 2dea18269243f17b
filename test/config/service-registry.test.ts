import * as yaml from 'js-yaml';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import { readManifest } from '../../runtime/config/manifest-reader';
import type { ConfigObject } from '../../runtime/config/config-object';
import { ServiceRegistry, portProtocol } from '../../runtime/config/service-registry';
import { hostMatches, qualifyHost } from '../../runtime/config/host-match';

function snapshotOf(text: string): ConfigSnapshot {
  const objects: ConfigObject[] = [];
  yaml.loadAll(text).forEach((doc, i) => {
    const r = readManifest(doc, { source: 'test', index: i + 1 }, 'default');
    if (r.type === 'invalid') throw new Error(r.errors.join('; '));
    if (r.type === 'object') objects.push(r.object);
  });
  return ConfigSnapshot.of(objects);
}

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  clusterIP: 10.96.0.20
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: 9081}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-x1, namespace: default, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports: [{name: http, port: 9081}]
endpoints:
- addresses: [10.0.1.1]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: reviews-v1-7f99c-abcde}
- addresses: [10.0.1.2]
  conditions: {ready: false}
  targetRef: {kind: Pod, name: reviews-v2-5d8a1-fghij}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2-5d8a1-fghij, namespace: default, labels: {app: reviews, version: v2, from: pod}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: default}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template: {metadata: {labels: {app: reviews, version: v1}}}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: prod}
spec:
  selector: {app: ratings}
  ports: [{name: grpc-api, port: 9090}, {name: tcp-db, port: 5432}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: ratings, namespace: prod}
subsets:
- addresses: [{ip: 10.0.2.1}]
  notReadyAddresses: [{ip: 10.0.2.2}]
  ports: [{name: grpc-api, port: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: details, namespace: default}
spec:
  selector: {app: details}
  ports: [{port: 9080}]
---
apiVersion: v1
kind: Pod
metadata: {name: details-v1-abc, namespace: default, labels: {app: details, version: v1}}
status:
  podIP: 10.0.3.1
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: default}
spec:
  hosts: [legacy.internal.example]
  location: MESH_INTERNAL
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: legacy}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1, namespace: default}
spec:
  address: 192.168.0.10
  labels: {app: legacy, version: v1}
  ports: {http: 18080}
  locality: us-east/zone-a
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-2, namespace: default}
spec:
  address: 192.168.0.11
  labels: {app: legacy, version: v2}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: other, namespace: default}
spec:
  address: 192.168.0.99
  labels: {app: unrelated}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-elsewhere, namespace: prod}
spec:
  address: 192.168.1.10
  labels: {app: legacy}
`;

describe('ServiceRegistry', () => {
  const registry = ServiceRegistry.fromSnapshot(snapshotOf(MESH));

  it.each([
    ['reviews', 'default'],
    ['reviews.default', 'prod'],
    ['reviews.default.svc', 'prod'],
    ['reviews.default.svc.cluster.local', 'prod'],
  ])('resolves %s from namespace %s to the FQDN', (host, ns) => {
    expect(registry.resolve(host, ns)?.hostname).toBe('reviews.default.svc.cluster.local');
  });

  it('resolves short names relative to the namespace they are written in', () => {
    expect(registry.resolve('ratings', 'prod')?.hostname).toBe('ratings.prod.svc.cluster.local');
    expect(registry.resolve('ratings', 'default')).toBeUndefined();
    expect(registry.fqdn('ratings', 'default')).toBe('ratings.default.svc.cluster.local');
  });

  it('reads EndpointSlice endpoints with ports by name, health, and labels from the Pod or its Deployment', () => {
    const reviews = registry.resolve('reviews', 'default');
    expect(reviews?.addresses).toEqual(['10.96.0.20']);
    expect(reviews?.endpoints.map((e) => [e.address, e.ports.http, e.healthy, e.labels.version])).toEqual([
      ['10.0.1.1', 9081, true, 'v1'],
      ['10.0.1.2', 9081, false, 'v2'],
    ]);
    expect(reviews?.endpoints[1]?.labels.from).toBe('pod');
  });

  it('reads Endpoints objects (not-ready addresses unhealthy) and port protocols from names', () => {
    const ratings = registry.resolve('ratings.prod', 'default');
    expect(ratings?.ports.map((p) => p.protocol)).toEqual(['GRPC', 'TCP']);
    expect(ratings?.endpoints.map((e) => [e.address, e.healthy])).toEqual([['10.0.2.1', true], ['10.0.2.2', false]]);
  });

  it('falls back to the Pods a Service selects', () => {
    const details = registry.resolve('details', 'default');
    expect(details?.endpoints.map((e) => [e.address, e.healthy, e.labels.version])).toEqual([['10.0.3.1', true, 'v1']]);
    expect(details?.ports[0]?.protocol).toBe('UNKNOWN');
  });

  it('selects WorkloadEntries of its namespace by the ServiceEntry workloadSelector', () => {
    const legacy = registry.resolve('legacy.internal.example', 'prod');
    expect(legacy?.origin).toBe('ServiceEntry');
    expect(legacy?.resolution).toBe('STATIC');
    expect(legacy?.endpoints.map((e) => [e.address, e.ports.http, e.labels.version, e.locality])).toEqual([
      ['192.168.0.10', 18080, 'v1', 'us-east/zone-a'],
      ['192.168.0.11', undefined, 'v2', undefined],
    ]);
  });

  it('lists services matching a wildcard', () => {
    expect(registry.matching('*.example', 'default').map((s) => s.hostname)).toEqual(['legacy.internal.example']);
    expect(registry.matching('*', 'default')).toHaveLength(4);
  });
});

describe('host helpers', () => {
  it('qualifies hosts', () => {
    expect(qualifyHost('a', 'ns')).toBe('a.ns.svc.cluster.local');
    expect(qualifyHost('a.b', 'ns')).toBe('a.b.svc.cluster.local');
    expect(qualifyHost('a.b.svc', 'ns')).toBe('a.b.svc.cluster.local');
    expect(qualifyHost('www.example.com', 'ns')).toBe('www.example.com');
    expect(qualifyHost('*.example.com', 'ns')).toBe('*.example.com');
  });

  it('matches wildcards by suffix', () => {
    expect(hostMatches('*', 'x.y')).toBe(true);
    expect(hostMatches('*.example.com', 'api.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('api.example.com', '*.example.com')).toBe(true);
  });

  it('reads port protocols', () => {
    expect(portProtocol('http-web')).toBe('HTTP');
    expect(portProtocol('grpc')).toBe('GRPC');
    expect(portProtocol('web', 'http2')).toBe('HTTP2');
    expect(portProtocol('metrics')).toBe('UNKNOWN');
  });
});
