import * as yaml from 'js-yaml';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import { readManifest } from '../../runtime/config/manifest-reader';
import type { ConfigObject } from '../../runtime/config/config-object';
import { duration, durationNanos } from '../../runtime/xds/translate/envoy';
import { effectiveTrafficPolicy } from '../../runtime/xds/translate/traffic-policy';
import { retryPolicy } from '../../runtime/xds/translate/http-routes';
import { withSharedRetryPolicy } from '../../runtime/xds/translate/routes';
import { egressHostMatches } from '../../runtime/xds/translate/sidecar-scope';
import { parseDefaultEndpoint } from '../../runtime/xds/translate/listeners';
import { proxyIdentity, translate, resourcesByTypeUrl, MeshIndex } from '../../runtime/xds/translate';
import { Snapshot } from '../../runtime/xds/cache';
import { TypeUrl } from '../../runtime/xds/resource-types';
import type { DestinationRuleSpec } from '../../constructs/api';

function snapshotOf(text: string): ConfigSnapshot {
  const objects: ConfigObject[] = [];
  yaml.loadAll(text).forEach((doc, i) => {
    const r = readManifest(doc, { source: 'test', index: i + 1 }, 'default');
    if (r.type === 'invalid') throw new Error(r.errors.join('; '));
    if (r.type === 'object') objects.push(r.object);
  });
  return ConfigSnapshot.of(objects);
}

const PRODUCTPAGE = proxyIdentity({
  id: 'sidecar~10.0.0.5~productpage-v1-abc.default~default.svc.cluster.local',
  metadata: { NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' } },
});

const BASE = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: reviews, namespace: default}
subsets:
- addresses: [{ip: 10.0.1.1, targetRef: {kind: Pod, name: reviews-v1-a}}]
  notReadyAddresses: [{ip: 10.0.1.2, targetRef: {kind: Pod, name: reviews-v2-b}}]
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1-a, namespace: default, labels: {app: reviews, version: v1}}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2-b, namespace: default, labels: {app: reviews, version: v2}}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: prod}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec:
  selector: {app: productpage}
  ports: [{name: http, port: 9080}]
`;

describe('durations', () => {
  it.each([['3s', '3s'], ['0.5s', '0.500s'], ['100ms', '0.100s'], ['1m', '60s'], ['1h30m', '5400s'], ['250us', '0.000250s'], ['24h', '86400s']])(
    '%s → %s', (istio, envoy) => expect(duration(istio)).toBe(envoy));
  it('rejects garbage', () => expect(() => durationNanos('3 s')).toThrow(/invalid duration/));
});

describe('traffic policy merging', () => {
  const rule: DestinationRuleSpec = {
    host: 'reviews',
    trafficPolicy: {
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: { tcp: { maxConnections: 100 } },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'RANDOM' } }],
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 2 } } },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' }, portLevelSettings: [{ port: { number: 9090 }, connectionPool: { http: { maxRetries: 1 } } }] } },
    ],
  };

  it('top level on a port without port-level settings', () => {
    expect(effectiveTrafficPolicy(rule, undefined, 9090)).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' }, connectionPool: { tcp: { maxConnections: 100 } } });
  });

  it('port-level settings replace the top level groups without inheriting', () => {
    expect(effectiveTrafficPolicy(rule, undefined, 9080)).toEqual({ loadBalancer: { simple: 'RANDOM' } });
  });

  it('a subset overrides per field group and inherits the rest', () => {
    expect(effectiveTrafficPolicy(rule, 'v1', 9090)).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN' }, connectionPool: { tcp: { maxConnections: 100 } }, outlierDetection: { consecutive5xxErrors: 2 },
    });
  });

  it("a subset's port-level settings replace everything for their port", () => {
    expect(effectiveTrafficPolicy(rule, 'v2', 9090)).toEqual({ connectionPool: { http: { maxRetries: 1 } } });
    expect(effectiveTrafficPolicy(rule, 'v2', 9080)).toEqual({ loadBalancer: { simple: 'LEAST_REQUEST' } });
  });
});

describe('retry policy', () => {
  it('disables retries with attempts 0', () => expect(retryPolicy({ attempts: 0 })).toBeUndefined());
  it('adds retriable-status-codes for status codes', () => {
    expect(retryPolicy({ attempts: 4, retryOn: '5xx,503,504' })).toMatchObject({ num_retries: 4, retry_on: '5xx,retriable-status-codes', retriable_status_codes: [503, 504] });
  });
  it('packs the previous-hosts predicate, which unpacks again', () => {
    const any = Snapshot.create({ resources: { [TypeUrl.RouteConfiguration]: [{ name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c', retry_policy: retryPolicy(undefined) } }] }] }] } });
    expect(any.resource(TypeUrl.RouteConfiguration, 'r')).toBeDefined();
  });
});

describe('retry policy shared by a virtual host', () => {
  const forward = (cluster: string, retry?: Record<string, unknown>): Record<string, unknown> => ({
    match: { prefix: '/' },
    route: { cluster, timeout: '0s', ...(retry ? { retry_policy: retry } : {}) },
  });
  const vh = (...routes: Record<string, unknown>[]): Record<string, unknown> => ({ name: 'v', domains: ['v'], routes });

  it('states a policy every forwarding route carries once, on the virtual host', () => {
    const out = withSharedRetryPolicy(
      vh(forward('a', retryPolicy(undefined)), { match: { prefix: '/old' }, redirect: { path_redirect: '/' } }, forward('b', retryPolicy(undefined))),
    );
    expect(out.retry_policy).toEqual(retryPolicy(undefined));
    expect((out.routes as Record<string, Record<string, unknown>>[]).map((r) => r.route?.retry_policy)).toEqual([undefined, undefined, undefined]);
  });

  it('keeps per-route policies when a route has none (retries disabled) or another one', () => {
    const noRetry = vh(forward('a', retryPolicy(undefined)), forward('b'));
    expect(withSharedRetryPolicy(noRetry)).toBe(noRetry);
    const other = vh(forward('a', retryPolicy(undefined)), forward('b', retryPolicy({ attempts: 5 })));
    expect(withSharedRetryPolicy(other)).toBe(other);
  });
});

describe('sidecar scope', () => {
  it('reads egress host patterns', () => {
    expect(egressHostMatches('./*', 'default', 'default', 'reviews.default.svc.cluster.local')).toBe(true);
    expect(egressHostMatches('./*', 'default', 'prod', 'ratings.prod.svc.cluster.local')).toBe(false);
    expect(egressHostMatches('prod/*', 'default', 'prod', 'ratings.prod.svc.cluster.local')).toBe(true);
    expect(egressHostMatches('*/ratings.prod.svc.cluster.local', 'default', 'prod', 'ratings.prod.svc.cluster.local')).toBe(true);
    expect(egressHostMatches('~/*', 'default', 'default', 'reviews.default.svc.cluster.local')).toBe(false);
    expect(egressHostMatches('*/*.example.com', 'default', 'default', 'api.example.com')).toBe(true);
  });

  it('without a Sidecar every service is visible; with one, only what its egress hosts admit', () => {
    const open = translate(snapshotOf(BASE), PRODUCTPAGE);
    expect(open.clusters.map((c) => c.name)).toContain('outbound|9080||ratings.prod.svc.cluster.local');
    const scoped = translate(snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress: [{hosts: ["./*"]}]
`), PRODUCTPAGE);
    expect(scoped.clusters.map((c) => c.name)).not.toContain('outbound|9080||ratings.prod.svc.cluster.local');
    expect(scoped.clusters.map((c) => c.name)).toContain('outbound|9080||reviews.default.svc.cluster.local');
  });

  it('a Sidecar selecting the workload wins over the namespace default', () => {
    const snap = snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress: [{hosts: ["./*"]}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: pp, namespace: default}
spec:
  workloadSelector: {labels: {app: productpage}}
  egress: [{hosts: ["prod/*"]}]
`);
    const names = translate(snap, PRODUCTPAGE).clusters.map((c) => c.name);
    expect(names).toContain('outbound|9080||ratings.prod.svc.cluster.local');
    expect(names).not.toContain('outbound|9080||reviews.default.svc.cluster.local');
  });

  it('parses defaultEndpoint forms', () => {
    expect(parseDefaultEndpoint('127.0.0.1:8080', PRODUCTPAGE)).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseDefaultEndpoint('0.0.0.0:8080', PRODUCTPAGE)).toEqual({ address: '10.0.0.5', port: 8080 });
    expect(parseDefaultEndpoint('[::1]:8080', PRODUCTPAGE)).toEqual({ address: '::1', port: 8080 });
    expect(parseDefaultEndpoint('unix:///var/run/app.sock', PRODUCTPAGE)).toEqual({ pipe: '/var/run/app.sock' });
    expect(() => parseDefaultEndpoint('localhost', PRODUCTPAGE)).toThrow(/expected IP:PORT/);
  });
});

describe('translate', () => {
  it('builds inbound listeners and clusters for the workload it runs beside', () => {
    const out = translate(snapshotOf(BASE), PRODUCTPAGE);
    const inbound = out.listeners.find((l) => l.name === 'virtualInbound') as Record<string, unknown>;
    expect(inbound.filter_chains).toEqual([expect.objectContaining({ filter_chain_match: { destination_port: 9080 } })]);
    expect(out.clusters.map((c) => c.name)).toEqual(expect.arrayContaining(['inbound|9080||', 'BlackHoleCluster', 'PassthroughCluster', 'InboundPassthroughClusterIpv4']));
  });

  it('marks not-ready endpoints unhealthy and filters subsets by labels', () => {
    const out = translate(snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  subsets: [{name: v2, labels: {version: v2}}]
`), PRODUCTPAGE);
    const all = out.endpoints.find((e) => e.cluster_name === 'outbound|9080||reviews.default.svc.cluster.local');
    expect(JSON.stringify(all)).toContain('"health_status":"UNHEALTHY"');
    const v2 = out.endpoints.find((e) => e.cluster_name === 'outbound|9080|v2|reviews.default.svc.cluster.local');
    expect(JSON.stringify(v2)).toContain('10.0.1.2');
    expect(JSON.stringify(v2)).not.toContain('10.0.1.1');
  });

  it('applies sourceLabels matches only to the proxies they name', () => {
    const snap = snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{sourceLabels: {app: other}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`);
    const route = translate(snap, PRODUCTPAGE).routes.find((r) => r.name === '9080');
    expect(JSON.stringify(route)).not.toContain('|v2|');
    expect(JSON.stringify(route)).toContain('outbound|9080|v1|reviews.default.svc.cluster.local');
  });

  it('prefers the DestinationRule of the proxy namespace over the service namespace', () => {
    const snap = snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: prod}
spec: {host: ratings, trafficPolicy: {loadBalancer: {simple: RANDOM}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings-client, namespace: default}
spec: {host: ratings.prod.svc.cluster.local, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}
`);
    expect(MeshIndex.of(snap).destinationRule('ratings.prod.svc.cluster.local', 'prod', PRODUCTPAGE)?.name).toBe('ratings-client');
    const cluster = translate(snap, PRODUCTPAGE).clusters.find((c) => c.name === 'outbound|9080||ratings.prod.svc.cluster.local');
    expect(cluster?.lb_policy).toBe('ROUND_ROBIN');
  });

  it('gives a router no gateway listeners when no Gateway selects it', () => {
    const router = proxyIdentity({ id: 'router~10.0.9.1~gw-abc.istio-system~istio-system.svc.cluster.local', metadata: { LABELS: { istio: 'egressgateway' } } });
    const out = translate(snapshotOf(`${BASE}---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`), router);
    expect(out.listeners).toEqual([]);
    expect(out.routes).toEqual([]);
    expect(() => Snapshot.create({ resources: resourcesByTypeUrl(out) })).not.toThrow();
  });
});
