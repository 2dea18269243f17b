import { Duration } from 'cdk8s';
import {
  ConnectionPool, DirectResponse, Fault, HttpMatch, LoadBalancer, Mirror, OutlierDetection, Redirect, Retry, RetryOn,
  Rewrite, RouteTarget, ServiceTraffic, HttpRouteOptions, TrafficPolicyOptions, ClientTls,
} from '../../constructs/traffic';
import { istioDuration } from '../../constructs/traffic/private/duration';
import { chart, fakeService, ofKind, synthValid } from './fakes';

const INT32_MAX = 2147483647;

/** Synthesizes a reviews service with one route carrying `extra`. */
function route(extra: Partial<HttpRouteOptions>) {
  const c = chart();
  new ServiceTraffic(c, 'reviews', { service: fakeService('reviews', ['v1']) })
    .addRoute({ to: RouteTarget.version('v1'), ...extra });
  return () => ofKind(synthValid(c), 'VirtualService')[0].spec.http[0];
}

/** Synthesizes a reviews service with a traffic policy. */
function policy(p: TrafficPolicyOptions) {
  const c = chart();
  new ServiceTraffic(c, 'reviews', { service: fakeService('reviews'), trafficPolicy: p });
  return () => ofKind(synthValid(c), 'DestinationRule')[0].spec.trafficPolicy;
}

/** Expects `run` to pass when ok, else to throw `message` prefixed by the construct path. */
function expectBoundary(run: () => unknown, ok: boolean, message: string) {
  if (ok) {
    expect(run).not.toThrow();
  } else {
    expect(run).toThrow(`bookinfo/reviews: ${message}`);
  }
}

describe('durations render as Istio strings', () => {
  test.each([
    [Duration.seconds(7), '7s'],
    [Duration.seconds(0.5), '0.5s'],
    [Duration.millis(100), '100ms'],
    [Duration.millis(1500), '1500ms'],
    [Duration.seconds(1.5), '1.5s'],
    [Duration.millis(2000), '2s'],
    [Duration.minutes(2), '120s'],
  ])('%s -> %s', (d, s) => expect(istioDuration(d)).toBe(s));
});

describe('Fault', () => {
  test('delay 7s at 100% (bookinfo ratings test)', () => {
    const http = route({ fault: Fault.delay({ fixedDelay: Duration.seconds(7), percentage: 100 }) })();
    expect(http.fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
  });

  test('grpc abort', () => {
    const http = route({ fault: Fault.grpcAbort({ grpcStatus: 'UNAVAILABLE', percentage: 0.5 }) })();
    expect(http.fault).toEqual({ abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 0.5 } } });
  });

  test.each([[0, true], [100, true], [-0.1, false], [100.1, false]])('delay percentage %d valid=%s', (p, ok) => {
    expectBoundary(route({ fault: Fault.delay({ fixedDelay: Duration.seconds(1), percentage: p }) }), ok,
      `http[0].fault.delay.percentage must be between 0 and 100 (got ${p})`);
  });

  test.each([[0, true], [100, true], [-1, false], [101, false]])('abort percentage %d valid=%s', (p, ok) => {
    expectBoundary(route({ fault: Fault.abort({ httpStatus: 503, percentage: p }) }), ok,
      `http[0].fault.abort.percentage must be between 0 and 100 (got ${p})`);
  });

  test.each([[200, true], [599, true], [199, false], [600, false]])('httpStatus %d valid=%s', (s, ok) => {
    expectBoundary(route({ fault: Fault.abort({ httpStatus: s }) }), ok,
      `http[0].fault.abort.httpStatus must be an integer between 200 and 599 (got ${s})`);
  });

  test('fixedDelay must be at least 1ms', () => {
    expectBoundary(route({ fault: Fault.delay({ fixedDelay: Duration.millis(0) }) }), false,
      'http[0].fault.delay.fixedDelay must be at least 1ms (got 0ms)');
  });
});

describe('Retry', () => {
  test('onGatewayErrors, on(...), none()', () => {
    expect(route({ retries: Retry.onGatewayErrors() })().retries).toEqual({ attempts: 2, retryOn: 'gateway-error,connect-failure,refused-stream' });
    expect(route({ retries: Retry.on([RetryOn.SERVER_ERROR, '503', RetryOn.GRPC_UNAVAILABLE], { attempts: 5, perTryTimeout: Duration.seconds(2) }) })().retries)
      .toEqual({ attempts: 5, perTryTimeout: '2s', retryOn: '5xx,503,unavailable' });
    expect(route({ retries: Retry.none() })().retries).toEqual({ attempts: 0 });
  });

  test.each([[0, true], [-1, false]])('attempts %d valid=%s', (a, ok) => {
    expectBoundary(route({ retries: Retry.onGatewayErrors({ attempts: a }) }), ok,
      `http[0].retries.attempts must be an integer >= 0 (got ${a})`);
  });

  test('unknown retryOn values and out-of-range codes are reported', () => {
    expectBoundary(route({ retries: Retry.on(['5xxx']) }), false, 'http[0].retries.retryOn must be one of');
    expectBoundary(route({ retries: Retry.on(['600']) }), false, 'http[0].retries.retryOn must be one of');
    expectBoundary(route({ retries: Retry.on(['100', '599']) }), true, '');
  });
});

describe('Mirror', () => {
  test.each([[0, true], [100, true], [-1, false], [101, false]])('percentage %d valid=%s', (p, ok) => {
    expectBoundary(route({ mirror: Mirror.toHost('shadow.default.svc.cluster.local', { percentage: p }) }), ok,
      `http[0].mirrorPercentage must be between 0 and 100 (got ${p})`);
  });
});

describe('DirectResponse and Redirect', () => {
  test.each([[200, true], [599, true], [199, false], [600, false]])('direct response status %d valid=%s', (s, ok) => {
    const c = chart();
    new ServiceTraffic(c, 'reviews', { service: fakeService('reviews') }).addRoute({ directResponse: DirectResponse.status(s) });
    expectBoundary(() => synthValid(c), ok, `http[0].directResponse.status must be an integer between 200 and 599 (got ${s})`);
  });

  test('redirect code must be one Envoy sends', () => {
    const c = chart();
    new ServiceTraffic(c, 'reviews', { service: fakeService('reviews') }).addRoute({ redirect: Redirect.to({ uri: '/x', redirectCode: 304 }) });
    expect(() => synthValid(c)).toThrow('http[0].redirect.redirectCode must be one of 301, 302, 303, 307, 308 (got 304)');
  });

  test('rewrite uri and regex are exclusive; regex rewrite renders', () => {
    expect(route({ rewrite: Rewrite.regex('^/v1/(.*)', '/\\1') })().rewrite).toEqual({ uriRegexRewrite: { match: '^/v1/(.*)', rewrite: '/\\1' } });
    expectBoundary(route({ rewrite: Rewrite.regex('(', 'x') }), false, 'http[0].rewrite.uriRegexRewrite.match must be a valid regular expression');
  });
});

describe('HttpMatch', () => {
  test('every kind of condition renders into one match request', () => {
    const m = HttpMatch.all(
      HttpMatch.regex('^/api/v[0-9]+'), HttpMatch.header('End-User', 'jason'), HttpMatch.withoutHeader('x-debug'),
      HttpMatch.queryParam('v', 'canary'), HttpMatch.method('POST'), HttpMatch.authority('reviews'), HttpMatch.port(9080),
      HttpMatch.sourceLabels({ app: 'productpage' }), HttpMatch.sourceNamespace('default'), HttpMatch.scheme('https'),
      HttpMatch.named('api'), HttpMatch.gateways('mesh'),
    );
    expect(route({ match: [m] })().match).toEqual([{
      uri: { regex: '^/api/v[0-9]+' }, headers: { 'end-user': { exact: 'jason' } }, withoutHeaders: { 'x-debug': {} },
      queryParams: { v: { exact: 'canary' } }, method: { exact: 'POST' }, authority: { exact: 'reviews' }, port: 9080,
      sourceLabels: { app: 'productpage' }, sourceNamespace: 'default', scheme: { exact: 'https' }, name: 'api', gateways: ['mesh'],
    }]);
  });

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('port %d valid=%s', (p, ok) => {
    expectBoundary(route({ match: [HttpMatch.port(p)] }), ok, `http[0].match[0].port must be an integer between 1 and 65535 (got ${p})`);
  });

  test('ignoreUriCase without a uri match is reported', () => {
    expectBoundary(route({ match: [HttpMatch.ignoreUriCase()] }), false, 'http[0].match[0].ignoreUriCase needs a uri match');
  });
});

describe('LoadBalancer', () => {
  test.each([
    [LoadBalancer.roundRobin({ warmupDuration: Duration.seconds(60) }), { simple: 'ROUND_ROBIN', warmupDurationSecs: '60s' }],
    [LoadBalancer.leastRequest(), { simple: 'LEAST_REQUEST' }],
    [LoadBalancer.random(), { simple: 'RANDOM' }],
    [LoadBalancer.passthrough(), { simple: 'PASSTHROUGH' }],
    [LoadBalancer.consistentHash.byHeader('x-user'), { consistentHash: { httpHeaderName: 'x-user' } }],
    [LoadBalancer.consistentHash.bySourceIp({ minimumRingSize: 1024 }), { consistentHash: { useSourceIp: true, ringHash: { minimumRingSize: 1024 } } }],
    [LoadBalancer.consistentHash.byQueryParameter('user'), { consistentHash: { httpQueryParameterName: 'user' } }],
  ])('%#', (lb, expected) => {
    expect(policy({ loadBalancer: lb })().loadBalancer).toEqual(expected);
  });
});

describe('ConnectionPool', () => {
  const fields = [
    ['tcp', 'maxConnections'], ['http', 'http1MaxPendingRequests'], ['http', 'http2MaxRequests'],
    ['http', 'maxRequestsPerConnection'], ['http', 'maxRetries'],
  ] as const;
  for (const [group, field] of fields) {
    test.each([[1, true], [INT32_MAX, true], [0, false], [INT32_MAX + 1, false]])(`${group}.${field} %d valid=%s`, (v, ok) => {
      const pool = ConnectionPool.of({ [group]: { [field]: v } });
      expectBoundary(policy({ connectionPool: pool }), ok,
        `trafficPolicy.connectionPool.${group}.${field} must be an integer between 1 and ${INT32_MAX} (got ${v})`);
    });
  }
});

describe('OutlierDetection', () => {
  test.each([[0, true], [100, true], [-1, false], [101, false]])('maxEjectionPercent %d valid=%s', (v, ok) => {
    expectBoundary(policy({ outlierDetection: OutlierDetection.of({ maxEjectionPercent: v }) }), ok,
      `trafficPolicy.outlierDetection.maxEjectionPercent must be an integer between 0 and 100 (got ${v})`);
  });

  test.each([[0, true], [100, true], [-1, false], [101, false]])('minHealthPercent %d valid=%s', (v, ok) => {
    expectBoundary(policy({ outlierDetection: OutlierDetection.of({ minHealthPercent: v }) }), ok,
      `trafficPolicy.outlierDetection.minHealthPercent must be an integer between 0 and 100 (got ${v})`);
  });

  test.each([[0, true], [-1, false]])('consecutive5xxErrors %d valid=%s', (v, ok) => {
    expectBoundary(policy({ outlierDetection: OutlierDetection.of({ consecutive5xxErrors: v, consecutiveGatewayErrors: v }) }), ok,
      `trafficPolicy.outlierDetection.consecutive5xxErrors must be an integer between 0 and ${INT32_MAX} (got ${v})`);
  });
});

describe('ClientTls', () => {
  test('modes render', () => {
    expect(policy({ tls: ClientTls.disable() })().tls).toEqual({ mode: 'DISABLE' });
    expect(policy({ tls: ClientTls.simple({ sni: 'api.example.com' }) })().tls).toEqual({ mode: 'SIMPLE', sni: 'api.example.com' });
    expect(policy({ tls: ClientTls.mutual({ credentialName: 'client-cert' }) })().tls).toEqual({ mode: 'MUTUAL', credentialName: 'client-cert' });
  });

  test('MUTUAL needs a credential', () => {
    expectBoundary(policy({ tls: ClientTls.mutual({ clientCertificate: '/etc/certs/cert.pem' }) }), false,
      'trafficPolicy.tls with mode MUTUAL needs credentialName, or both clientCertificate and privateKey');
  });
});
