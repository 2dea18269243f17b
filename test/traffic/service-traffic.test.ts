import { Duration } from 'cdk8s';
import {
  ConnectionPool, ClientTls, Fault, HeaderOps, HttpMatch, LoadBalancer, Mirror, OutlierDetection,
  Retry, Rewrite, RouteTarget, ServiceTraffic, StringMatch, Redirect, DirectResponse, Cors,
} from '../../constructs/traffic';
import { chart, fakeService, ofKind, synthValid } from './fakes';

describe('ServiceTraffic', () => {
  test('bookinfo reviews: jason to v2, everyone else split v1/v3 (snapshot)', () => {
    // GIVEN
    const c = chart();
    const reviews = fakeService('reviews', ['v1', 'v2', 'v3']);
    const traffic = new ServiceTraffic(c, 'reviews', { service: reviews });
    // WHEN
    traffic.addRoute({ match: [HttpMatch.header('end-user', 'jason')], to: RouteTarget.version('v2') });
    traffic.addRoute({ to: RouteTarget.split({ v1: 50, v3: 50 }) });
    // THEN
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    const [vs] = ofKind(out, 'VirtualService');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata).toEqual({ name: 'reviews', namespace: 'default' });
    expect(vs.spec.hosts).toEqual(['reviews.default.svc.cluster.local']);
    expect(vs.spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'reviews.default.svc.cluster.local', subset: 'v2' } }]);
    expect(vs.spec.http[1].route.map((r: { weight: number }) => r.weight)).toEqual([50, 50]);
    const [dr] = ofKind(out, 'DestinationRule');
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
      { name: 'v3', labels: { version: 'v3' } },
    ]);
  });

  test('no route: no VirtualService; no versions and no policy: nothing at all', () => {
    const c = chart();
    new ServiceTraffic(c, 'ratings', { service: fakeService('ratings') });
    expect(synthValid(c)).toEqual([]);
  });

  test('versions but no route: a DestinationRule only', () => {
    const c = chart();
    new ServiceTraffic(c, 'ratings', { service: fakeService('ratings', ['v1']) });
    const out = synthValid(c);
    expect(out.map((m) => m.kind)).toEqual(['DestinationRule']);
  });

  test('add-after-construct: routes, policy and versions added later all render', () => {
    const c = chart();
    const svc = fakeService('ratings');
    const traffic = new ServiceTraffic(c, 'ratings', { service: svc });
    expect(synthValid(c)).toEqual([]);
    traffic.addVersion('v1').addVersion('v2', { labels: { track: 'canary' } });
    traffic.setTrafficPolicy({ loadBalancer: LoadBalancer.roundRobin() });
    traffic.addRoute({ to: RouteTarget.version('v2') });
    const out = synthValid(c);
    const [dr] = ofKind(out, 'DestinationRule');
    expect(dr.spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } });
    expect(dr.spec.subsets[1]).toEqual({ name: 'v2', labels: { track: 'canary' } });
    expect(ofKind(out, 'VirtualService')[0].spec.http[0].route[0].destination.subset).toBe('v2');
  });

  test('a version the service gains after construction becomes a subset', () => {
    const c = chart();
    const svc = fakeService('details');
    new ServiceTraffic(c, 'details', { service: svc });
    svc.versions.push('v1');
    const out = synthValid(c);
    expect(ofKind(out, 'DestinationRule')[0].spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
  });

  test('routes render in the order added, with every route option', () => {
    const c = chart();
    const reviews = fakeService('reviews', ['v1', 'v2', 'v3']);
    const shadow = fakeService('reviews-shadow', ['v9']);
    const t = new ServiceTraffic(c, 'reviews', { service: reviews });
    t.addRoute({
      name: 'api',
      match: [HttpMatch.all(HttpMatch.prefix('/api'), HttpMatch.method('GET'), HttpMatch.ignoreUriCase()), HttpMatch.exact('/health')],
      to: RouteTarget.version('v1', { port: 9080 }),
      timeout: Duration.seconds(3),
      retries: Retry.onGatewayErrors({ attempts: 3, perTryTimeout: Duration.millis(500) }),
      fault: Fault.both(Fault.delay({ fixedDelay: Duration.seconds(7) }), Fault.abort({ httpStatus: 500, percentage: 10 })),
      mirror: Mirror.toService(shadow, { version: 'v9', percentage: 5 }),
      headers: HeaderOps.request({ set: { 'x-route': 'api' } }).and(HeaderOps.response({ remove: ['server'] })),
      rewrite: Rewrite.prefix('/v1/api').withAuthority('reviews-internal'),
      cors: Cors.allow({ origins: ['https://example.com', StringMatch.regex('https://.*\\.example\\.com')], methods: ['GET'], maxAge: Duration.hours(24) }),
    });
    t.addRoute({ match: [HttpMatch.prefix('/old')], redirect: Redirect.to({ uri: '/new', redirectCode: 302 }) });
    t.addRoute({ match: [HttpMatch.prefix('/teapot')], directResponse: DirectResponse.status(418, 'short and stout') });
    t.addRoute({ to: RouteTarget.version('v3') });
    const out = synthValid(c);
    const http = ofKind(out, 'VirtualService')[0].spec.http;
    expect(http).toMatchSnapshot();
    expect(http.map((r: { name?: string }) => r.name)).toEqual(['api', undefined, undefined, undefined]);
    expect(http[0].match).toEqual([
      { uri: { prefix: '/api' }, method: { exact: 'GET' }, ignoreUriCase: true },
      { uri: { exact: '/health' } },
    ]);
    expect(http[0].timeout).toBe('3s');
    expect(http[0].retries).toEqual({ attempts: 3, perTryTimeout: '500ms', retryOn: 'gateway-error,connect-failure,refused-stream' });
    expect(http[0].fault).toEqual({
      delay: { fixedDelay: '7s', percentage: { value: 100 } },
      abort: { httpStatus: 500, percentage: { value: 10 } },
    });
    expect(http[0].mirror).toEqual({ host: 'reviews-shadow.default.svc.cluster.local', subset: 'v9' });
    expect(http[0].mirrorPercentage).toEqual({ value: 5 });
    expect(http[0].headers).toEqual({ request: { set: { 'x-route': 'api' } }, response: { remove: ['server'] } });
    expect(http[0].rewrite).toEqual({ uri: '/v1/api', authority: 'reviews-internal' });
    expect(http[0].corsPolicy.maxAge).toBe('86400s');
    expect(http[1].redirect).toEqual({ uri: '/new', redirectCode: 302 });
    expect(http[2].directResponse).toEqual({ status: 418, body: { string: 'short and stout' } });
  });

  test('traffic policy, per-port and per-version policy render into the DestinationRule', () => {
    const c = chart();
    const t = new ServiceTraffic(c, 'reviews', {
      service: fakeService('reviews', ['v1', 'v2']),
      trafficPolicy: {
        loadBalancer: LoadBalancer.consistentHash.byCookie({ name: 'user', ttl: Duration.seconds(0.5) }),
        connectionPool: ConnectionPool.of({ tcp: { maxConnections: 100, connectTimeout: Duration.millis(100) }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } }),
        outlierDetection: OutlierDetection.of({ consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(3), maxEjectionPercent: 100 }),
        tls: ClientTls.istioMutual(),
        portLevel: [{ port: 9080, loadBalancer: LoadBalancer.leastRequest() }],
      },
    });
    t.setVersionPolicy('v2', { loadBalancer: LoadBalancer.random() });
    const [dr] = ofKind(synthValid(c), 'DestinationRule');
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0.5s' } } },
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '100ms' }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '180s', maxEjectionPercent: 100 },
      tls: { mode: 'ISTIO_MUTUAL' },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'LEAST_REQUEST' } }],
    });
    expect(dr.spec.subsets[1]).toEqual({ name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } });
  });

  test('bindTo a gateway adds the gateway, mesh and the public host', () => {
    const c = chart();
    const t = new ServiceTraffic(c, 'productpage', { service: fakeService('productpage', ['v1']) });
    t.bindTo('istio-system/bookinfo-gateway', { hosts: ['bookinfo.example.com'] });
    t.addRoute({ match: [HttpMatch.exact('/productpage')], to: RouteTarget.version('v1') });
    t.addRoute({ to: RouteTarget.anyVersion() });
    const [vs] = ofKind(synthValid(c), 'VirtualService');
    expect(vs.spec.gateways).toEqual(['istio-system/bookinfo-gateway', 'mesh']);
    expect(vs.spec.hosts).toEqual(['productpage.default.svc.cluster.local', 'bookinfo.example.com']);
  });

  test('gateway only (includeMesh false)', () => {
    const c = chart();
    const t = new ServiceTraffic(c, 'productpage', { service: fakeService('productpage'), gateways: ['bookinfo-gateway'], includeMesh: false });
    t.addRoute({ to: RouteTarget.anyVersion() });
    expect(ofKind(synthValid(c), 'VirtualService')[0].spec.gateways).toEqual(['bookinfo-gateway']);
  });

  test('route to another service and to a host', () => {
    const c = chart();
    const ratings = fakeService('ratings', ['v1']);
    const t = new ServiceTraffic(c, 'reviews', { service: fakeService('reviews') });
    t.addRoute({ match: [HttpMatch.prefix('/ratings')], to: RouteTarget.service(ratings, { version: 'v1' }) });
    t.addRoute({ to: RouteTarget.weighted([{ target: RouteTarget.anyVersion(), weight: 90 }, { target: RouteTarget.host('httpbin.org'), weight: 10 }]) });
    const http = ofKind(synthValid(c), 'VirtualService')[0].spec.http;
    expect(http[0].route).toEqual([{ destination: { host: 'ratings.default.svc.cluster.local', subset: 'v1' } }]);
    expect(http[1].route).toEqual([
      { destination: { host: 'reviews.default.svc.cluster.local' }, weight: 90 },
      { destination: { host: 'httpbin.org' }, weight: 10 },
    ]);
  });
});

describe('ServiceTraffic validation', () => {
  function withRoute(route: Parameters<ServiceTraffic['addRoute']>[0], versions = ['v1', 'v2', 'v3']) {
    const c = chart();
    new ServiceTraffic(c, 'reviews', { service: fakeService('reviews', versions) }).addRoute(route);
    return () => synthValid(c);
  }

  test('weights must sum to 100: message names path, expected and got', () => {
    expect(withRoute({ to: RouteTarget.split({ v1: 50, v3: 40 }) }))
      .toThrow('bookinfo/reviews: http[0].route weights must sum to 100 (got 90: v1=50, v3=40)');
  });

  test.each([
    [{ v1: 0, v2: 100 }, true],
    [{ v1: 100, v2: 0 }, true],
    [{ v1: -1, v2: 101 }, false],
    [{ v1: 101, v2: -1 }, false],
    [{ v1: 50, v2: 51 }, false],
    [{ v1: 49.5, v2: 50.5 }, false],
  ])('weights %o valid=%s', (weights, ok) => {
    const run = withRoute({ to: RouteTarget.split(weights) });
    if (ok) {
      expect(run).not.toThrow();
    } else {
      expect(run).toThrow(/bookinfo\/reviews: http\[0\]\.route/);
    }
  });

  test('a weight out of range names the field and the range', () => {
    expect(withRoute({ to: RouteTarget.split({ v1: 101, v2: -1 }) }))
      .toThrow('http[0].route[0].weight (v1) must be an integer between 0 and 100 (got 101)');
  });

  test('a route to an unknown version names it and the known ones', () => {
    expect(withRoute({ to: RouteTarget.version('v4') }))
      .toThrow("bookinfo/reviews: http[0].route[0].destination.subset names version 'v4', but reviews has versions v1, v2, v3");
  });

  test('a route needs exactly one action', () => {
    expect(withRoute({})).toThrow('http[0] must have exactly one of to, redirect, directResponse (got none)');
    expect(withRoute({ to: RouteTarget.version('v1'), redirect: Redirect.toHttps() }))
      .toThrow('(got to and redirect)');
  });

  test('a match-all route before others is reported', () => {
    const c = chart();
    const t = new ServiceTraffic(c, 'reviews', { service: fakeService('reviews', ['v1', 'v2']) });
    t.addRoute({ to: RouteTarget.version('v1') });
    t.addRoute({ match: [HttpMatch.prefix('/x')], to: RouteTarget.version('v2') });
    expect(() => synthValid(c)).toThrow(/http\[0\] matches every request/);
  });

  test('conflicting fields in HttpMatch.all are reported', () => {
    expect(withRoute({ match: [HttpMatch.all(HttpMatch.prefix('/a'), HttpMatch.exact('/b'))], to: RouteTarget.version('v1') }))
      .toThrow('http[0].match[0].uri is given more than once');
  });

  test('query parameters reject prefix matches', () => {
    expect(withRoute({ match: [HttpMatch.queryParam('q', StringMatch.prefix('a'))], to: RouteTarget.version('v1') }))
      .toThrow('queryParams.q must be an exact or regex match (got prefix)');
  });

  test('subset names must be DNS labels', () => {
    const c = chart();
    new ServiceTraffic(c, 'reviews', { service: fakeService('reviews', ['V1.0']) });
    expect(() => synthValid(c)).toThrow('subsets: version "V1.0" must be a DNS-1123 label');
  });

  test('timeout must be at least 1ms', () => {
    expect(withRoute({ to: RouteTarget.version('v1'), timeout: Duration.millis(0) }))
      .toThrow('http[0].timeout must be at least 1ms (got 0ms)');
    expect(withRoute({ to: RouteTarget.version('v1'), timeout: Duration.millis(1) })).not.toThrow();
  });
});
