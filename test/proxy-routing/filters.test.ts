/** Fault injection and CORS per route. */
import { Plain, forward, request, sequence, table } from './helpers';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const CORS = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

const faulty = (fault: Plain): Plain => ({
  name: 'faulty', match: { prefix: '/faulty' }, route: { cluster: 'c' },
  typed_per_filter_config: { 'envoy.filters.http.fault': { '@type': FAULT, ...fault } },
});
const plain: Plain = { name: 'plain', match: { prefix: '/' }, route: { cluster: 'c' } };

describe('fault injection', () => {
  const t = table([
    faulty({ delay: { fixed_delay: '2s', percentage: { numerator: 50 } }, abort: { http_status: 503, percentage: { numerator: 10 } } }),
    plain,
  ]);

  it('delays and aborts by their percentages on the route that carries the config', () => {
    expect(t.route(request({ path: '/faulty', random: sequence(0.4, 0.05) }))).toMatchObject({ kind: 'forward', delayMs: 2000, abort: { status: 503 } });
    const delayed = forward(t.route(request({ path: '/faulty', random: sequence(0.4, 0.5) })));
    expect(delayed).toMatchObject({ delayMs: 2000 });
    expect(delayed.abort).toBeUndefined();
    const neither = forward(t.route(request({ path: '/faulty', random: sequence(0.6, 0.5) })));
    expect(neither.delayMs).toBeUndefined();
    expect(neither.abort).toBeUndefined();
  });

  it('leaves other routes alone', () => {
    const d = forward(t.route(request({ path: '/', random: () => 0 })));
    expect(d.delayMs).toBeUndefined();
    expect(d.abort).toBeUndefined();
  });

  it('aborts gRPC requests with a grpc-status over HTTP 200', () => {
    const g = table([faulty({ abort: { grpc_status: 14, percentage: { numerator: 100 } } })]);
    expect(g.route(request({ path: '/faulty' }))).toMatchObject({ abort: { status: 200, grpcStatus: 14 } });
  });

  it('applies a virtual host fault to its routes unless a route disables the filter', () => {
    const vhFault = table([], [], {
      virtual_hosts: [{
        name: 'svc', domains: ['svc'],
        typed_per_filter_config: { 'envoy.filters.http.fault': { '@type': FAULT, abort: { http_status: 418, percentage: { numerator: 100 } } } },
        routes: [
          { name: 'off', match: { prefix: '/off' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.fault': { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true } } },
          plain,
        ],
      }],
    });
    expect(vhFault.route(request())).toMatchObject({ abort: { status: 418 } });
    expect(forward(vhFault.route(request({ path: '/off' }))).abort).toBeUndefined();
  });

  it('a fault with no percentage never fires', () => {
    const never = table([faulty({ delay: { fixed_delay: '1s' } })]);
    expect(forward(never.route(request({ path: '/faulty', random: () => 0 }))).delayMs).toBeUndefined();
  });
});

describe('CORS', () => {
  const policy = {
    '@type': CORS,
    allow_origin_string_match: [{ exact: 'https://bookinfo.example.com' }, { safe_regex: { regex: 'https://.*\\.example\\.org' } }],
    allow_methods: 'GET,POST', allow_headers: 'x-user', expose_headers: 'x-trace', max_age: '86400', allow_credentials: true,
  };
  const t = table([{ name: 'cors', match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.cors': policy } }]);
  const preflight = (origin: string) => request({ method: 'OPTIONS', headers: ['Origin', origin, 'Access-Control-Request-Method', 'POST'] });

  it('answers an allowed preflight with the allow-* headers', () => {
    expect(t.route(preflight('https://bookinfo.example.com'))).toEqual({
      kind: 'corsPreflight', status: 200, virtualHost: 'svc', route: 'cors',
      responseHeaderOps: [
        { op: 'set', name: 'access-control-allow-origin', value: 'https://bookinfo.example.com' },
        { op: 'set', name: 'access-control-allow-credentials', value: 'true' },
        { op: 'set', name: 'access-control-allow-methods', value: 'GET,POST' },
        { op: 'set', name: 'access-control-allow-headers', value: 'x-user' },
        { op: 'set', name: 'access-control-max-age', value: '86400' },
      ],
    });
  });

  it('passes a preflight from an origin not allowed upstream untouched', () => {
    const d = t.route(preflight('https://evil.example.net'));
    expect(d).toMatchObject({ kind: 'forward', responseHeaderOps: [] });
  });

  it('treats OPTIONS without Access-Control-Request-Method as an actual request', () => {
    expect(t.route(request({ method: 'OPTIONS', headers: ['origin', 'https://a.example.org'] })).kind).toBe('forward');
  });

  it('adds allow-origin, credentials and expose headers to actual requests from allowed origins', () => {
    expect(t.route(request({ headers: ['origin', 'https://shop.example.org'] }))).toMatchObject({
      kind: 'forward',
      responseHeaderOps: [
        { op: 'set', name: 'access-control-allow-origin', value: 'https://shop.example.org' },
        { op: 'set', name: 'access-control-allow-credentials', value: 'true' },
        { op: 'set', name: 'access-control-expose-headers', value: 'x-trace' },
      ],
    });
    expect(t.route(request({ headers: ['origin', 'https://example.org.evil.com'] }))).toMatchObject({ responseHeaderOps: [] });
    expect(t.route(request())).toMatchObject({ responseHeaderOps: [] });
  });

  it('allows every origin when a matcher accepts *', () => {
    const any = table([{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.cors': { '@type': CORS, allow_origin_string_match: [{ exact: '*' }] } } }]);
    expect(any.route(request({ headers: ['origin', 'https://x.test'] }))).toMatchObject({ responseHeaderOps: [{ name: 'access-control-allow-origin', value: 'https://x.test' }] });
  });

  it('is enforced only for the enabled fraction', () => {
    const half = table([{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.cors': { ...policy, filter_enabled: { default_value: { numerator: 50 } } } } }]);
    expect(forward(half.route(request({ headers: ['origin', 'https://bookinfo.example.com'], random: () => 0.4 }))).responseHeaderOps).toHaveLength(3);
    expect(forward(half.route(request({ headers: ['origin', 'https://bookinfo.example.com'], random: () => 0.6 }))).responseHeaderOps).toHaveLength(0);
  });

  it('uses the virtual host policy of the older cors field', () => {
    const legacy = table([], [], { virtual_hosts: [{ name: 'svc', domains: ['svc'], cors: { allow_origin_string_match: [{ prefix: 'https://' }] }, routes: [plain] }] });
    expect(legacy.route(request({ headers: ['origin', 'https://x'] }))).toMatchObject({ responseHeaderOps: [{ name: 'access-control-allow-origin', value: 'https://x' }] });
  });

  it('keeps route response headers before the CORS ones', () => {
    const both = table([{ match: { prefix: '/' }, route: { cluster: 'c' }, response_headers_to_add: [{ header: { key: 'x-a', value: '1' } }], typed_per_filter_config: { 'envoy.filters.http.cors': policy } }]);
    const ops = forward(both.route(request({ headers: ['origin', 'https://bookinfo.example.com'] }))).responseHeaderOps.map((o) => o.name);
    expect(ops).toEqual(['x-a', 'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers']);
  });
});
