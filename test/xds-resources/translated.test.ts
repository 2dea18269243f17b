/**
 * Every resource the translation produces decodes: for a sidecar and an ingress
 * gateway of a bookinfo mesh using most traffic features, in the plain form and
 * after a round trip through the xDS codec, and every golden expectation of the
 * translation tests (when present).
 */
import { Snapshot } from '../../runtime/xds/cache';
import { unpackResource } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import {
  Cluster, ForwardAction, Listener, RouteConfiguration, decodeResource, validateSnapshotResources,
} from '../../runtime/xds/resources';
import { goldenExpectations, resourcesByTypeUrl, routerResources, sidecarResources } from './fixtures';

const KIND_TYPE_URL: Readonly<Record<string, string>> = {
  listeners: TypeUrl.Listener, routes: TypeUrl.RouteConfiguration, clusters: TypeUrl.Cluster, endpoints: TypeUrl.ClusterLoadAssignment,
};

function decodeAll(resources: Readonly<Record<string, readonly Record<string, unknown>[]>>): string[] {
  const errors: string[] = [];
  for (const [typeUrl, list] of Object.entries(resources)) {
    for (const r of list) {
      const result = decodeResource(typeUrl, r);
      if (!result.ok) errors.push(`${typeUrl} ${String(r.name ?? r.cluster_name)}: ${result.errors.join('; ')}`);
    }
  }
  return errors;
}

function decoded<T>(typeUrl: string, list: readonly Record<string, unknown>[], name: string): T {
  const plain = list.find((r) => (r.name ?? r.cluster_name) === name);
  if (!plain) throw new Error(`no ${name}`);
  const result = decodeResource(typeUrl, plain);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value as T;
}

describe.each([
  ['sidecar', sidecarResources],
  ['router', routerResources],
])('translated %s resources', (_name, build) => {
  const byType = resourcesByTypeUrl(build());

  it('all decode in the plain form', () => {
    expect(decodeAll(byType)).toEqual([]);
  });

  it('all decode after packing and unpacking, and the snapshot validates', () => {
    const snapshot = Snapshot.create({ resources: byType });
    expect(validateSnapshotResources(snapshot)).toEqual([]);
    const unpacked: Record<string, Record<string, unknown>[]> = {};
    for (const typeUrl of snapshot.typeUrls()) unpacked[typeUrl] = [...snapshot.resources(typeUrl).values()].map((r) => unpackResource(r.any));
    expect(decodeAll(unpacked)).toEqual([]);
  });
});

describe('translated sidecar resources, decoded', () => {
  const r = sidecarResources();
  const routes = decoded<RouteConfiguration>(TypeUrl.RouteConfiguration, r.routes, '9080');
  const reviews = routes.virtualHosts.find((v) => v.name === 'reviews.default.svc.cluster.local:9080');

  it('keeps the VirtualService routes in order with their matches', () => {
    expect(reviews?.routes.map((x) => x.name)).toEqual(['jason', 'regex', 'split']);
    const [jason, regex] = reviews?.routes ?? [];
    expect(jason?.match.path).toEqual({ kind: 'prefix', value: '/reviews' });
    expect(jason?.match.headers).toEqual([{ name: 'end-user', match: { kind: 'string', matcher: { kind: 'exact', value: 'jason', ignoreCase: false } }, invert: false, treatMissingAsEmpty: false }]);
    expect(regex?.match.caseSensitive).toBe(false);
    const path = regex?.match.path;
    expect(path?.kind === 'regex' && path.regex.test('/reviews/12')).toBe(true);
    expect(path?.kind === 'regex' && path.regex.test('/reviews/12/x')).toBe(false);
  });

  it('converts fault, retries, headers, timeouts, mirrors, weights, CORS and hashing', () => {
    const [jason, regex, split] = reviews?.routes ?? [];
    expect(jason?.filterConfigs['envoy.filters.http.fault']).toEqual({ kind: 'fault', config: { delay: { fixedDelayMs: 2000, fraction: 0.5 } } });
    const forward = jason?.action as ForwardAction;
    expect(forward.retryPolicy).toMatchObject({ numRetries: 3, perTryTimeoutMs: 1000, retriableStatusCodes: [503], avoidPreviousHosts: true });
    expect(forward.retryPolicy?.retryOn).toEqual(['5xx', 'connect-failure', 'retriable-status-codes']);
    expect(forward.hashPolicies).toEqual([{ kind: 'header', headerName: 'x-user', terminal: false }]);
    expect(forward.timeoutMs).toBe(0);
    expect(jason?.headers.requestHeadersToAdd).toEqual([{ name: 'x-mesh', value: '1', action: 'OVERWRITE_IF_EXISTS_OR_ADD', keepEmptyValue: false }]);
    expect(jason?.headers.requestHeadersToRemove).toEqual(['x-debug']);
    const regexAction = regex?.action as ForwardAction;
    expect(regexAction.timeoutMs).toBe(500);
    expect(regexAction.mirrors).toEqual([{ cluster: 'outbound|9080|v1|reviews.default.svc.cluster.local', fraction: 0.1 }]);
    const splitAction = split?.action as ForwardAction;
    expect(splitAction.cluster).toMatchObject({ kind: 'weighted', totalWeight: 100 });
    expect(splitAction.prefixRewrite).toBe('/v1/reviews');
    const cors = split?.filterConfigs['envoy.filters.http.cors'];
    expect(cors?.kind === 'cors' && cors.policy).toMatchObject({ allowMethods: ['GET', 'POST'], maxAgeSeconds: 86400, allowCredentials: true, enabledFraction: 1 });
  });

  it('decodes the reviews cluster policy and the ratings HTTP/2 cluster', () => {
    const cluster = decoded<Cluster>(TypeUrl.Cluster, r.clusters, 'outbound|9080|v1|reviews.default.svc.cluster.local');
    expect(cluster).toMatchObject({
      discovery: { type: 'EDS', serviceName: 'outbound|9080|v1|reviews.default.svc.cluster.local' },
      connectTimeoutMs: 2000,
      lbPolicy: 'RING_HASH',
      ringHash: { minimumRingSize: 1024 },
      healthyPanicThreshold: 0.2,
      upstreamHttp: { protocol: 'http1', idleTimeoutMs: 30000, maxRequestsPerConnection: 5 },
    });
    expect(cluster.circuitBreakers.default).toMatchObject({ maxConnections: 100, maxPendingRequests: 10 });
    expect(cluster.outlierDetection).toMatchObject({ consecutive5xx: 3, intervalMs: 5000, maxEjectionFraction: 0.5, enforcingConsecutive5xx: 1 });
    const ratings = decoded<Cluster>(TypeUrl.Cluster, r.clusters, 'outbound|9080||ratings.default.svc.cluster.local');
    expect(ratings.upstreamHttp.protocol).toBe('http2');
    expect(ratings.ringHash?.minimumRingSize).toBe(2048);
  });

  it('decodes listeners with RDS and TCP proxy chains', () => {
    const outbound = decoded<Listener>(TypeUrl.Listener, r.listeners, 'virtualOutbound');
    expect(outbound).toMatchObject({ useOriginalDst: true, trafficDirection: 'OUTBOUND', address: { kind: 'socket', port: 15001 } });
    expect(outbound.defaultFilterChain?.filters[0]).toMatchObject({ kind: 'tcpProxy', config: { cluster: { kind: 'cluster', name: 'PassthroughCluster' } } });
    const http = decoded<Listener>(TypeUrl.Listener, r.listeners, '0.0.0.0_9080');
    const hcm = http.filterChains[0]?.filters[0];
    expect(hcm?.kind === 'httpConnectionManager' && hcm.config.routeSource).toEqual({ kind: 'rds', routeConfigName: '9080' });
    expect(hcm?.kind === 'httpConnectionManager' && hcm.config.httpFilters.map((f) => f.kind)).toEqual(['fault', 'cors', 'router']);
  });
});

const golden = goldenExpectations();

describe('translation golden expectations', () => {
  it.each(golden.length > 0 ? golden : [['(no golden cases yet)', {}] as [string, Record<string, Record<string, unknown>[]>]])('%s decodes', (_name, expected) => {
    const byType: Record<string, Record<string, unknown>[]> = {};
    for (const [kind, list] of Object.entries(expected)) {
      const typeUrl = KIND_TYPE_URL[kind];
      if (typeUrl) byType[typeUrl] = list;
    }
    expect(decodeAll(byType)).toEqual([]);
  });
});
