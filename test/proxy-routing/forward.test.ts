/** Forward decisions: cluster choice, weights, hashing, mirrors, header ops, rewrites, timeouts and shared static decisions. */
import { applyHeaderOps, seededRandom } from '../../runtime/proxy/routing';
import { Plain, forward, request, sequence, table } from './helpers';

const route = (action: Plain, match: Plain = { prefix: '/' }, extra: Plain = {}): Plain => ({ name: 'r', match, route: action, ...extra });

describe('forward decisions', () => {
  it('forwards to the cluster with Envoy defaults, returning one shared object', () => {
    const t = table([route({ cluster: 'c' })]);
    const a = forward(t.route(request()));
    expect(a).toMatchObject({ kind: 'forward', cluster: 'c', timeoutMs: 15000, clusterNotFoundStatus: 503, mirrors: [], virtualHost: 'svc', route: 'r' });
    expect(a.retry).toBeUndefined();
    expect(t.route(request())).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('splits weighted clusters in proportion to their weights', () => {
    const t = table([route({ weighted_clusters: { clusters: [{ name: 'v1', weight: 70 }, { name: 'v2', weight: 20 }, { name: 'v3', weight: 10 }] } })]);
    const random = seededRandom(42);
    const counts: Record<string, number> = { v1: 0, v2: 0, v3: 0 };
    const n = 20000;
    for (let i = 0; i < n; i++) counts[forward(t.route(request({ random }))).cluster]! += 1;
    expect(Math.abs((counts.v1 ?? 0) / n - 0.7)).toBeLessThan(0.015);
    expect(Math.abs((counts.v2 ?? 0) / n - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((counts.v3 ?? 0) / n - 0.1)).toBeLessThan(0.015);
  });

  it('walks cumulative weights with the drawn value', () => {
    const t = table([route({ weighted_clusters: { clusters: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }] } })]);
    expect(forward(t.route(request({ random: () => 0.24 }))).cluster).toBe('a');
    expect(forward(t.route(request({ random: () => 0.25 }))).cluster).toBe('b');
    expect(forward(t.route(request({ random: () => 0.9999 }))).cluster).toBe('b');
  });

  it('applies weighted-cluster headers and host rewrite to that cluster only', () => {
    const t = table([route({
      weighted_clusters: { clusters: [
        { name: 'a', weight: 50 },
        { name: 'b', weight: 50, host_rewrite_literal: 'b.internal', request_headers_to_add: [{ header: { key: 'x-canary', value: 'true' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] },
      ] },
    })]);
    const a = forward(t.route(request({ random: () => 0.1 })));
    const b = forward(t.route(request({ random: () => 0.9 })));
    expect(a.requestHeaderOps).toEqual([]);
    expect(a.host).toBeUndefined();
    expect(b.requestHeaderOps).toEqual([{ op: 'set', name: 'x-canary', value: 'true' }]);
    expect(b.host).toBe('b.internal');
  });

  it('names the cluster from cluster_header, or empty when the header is absent', () => {
    const t = table([route({ cluster_header: 'X-Cluster', cluster_not_found_response_code: 'NOT_FOUND' })]);
    expect(forward(t.route(request({ headers: ['x-cluster', 'backend'] }))).cluster).toBe('backend');
    expect(forward(t.route(request())).cluster).toBe('');
    expect(forward(t.route(request())).clusterNotFoundStatus).toBe(404);
  });

  it('carries timeouts, and the route retry policy or else the virtual host one', () => {
    const t = table(
      [route({ cluster: 'c', timeout: '2.5s', idle_timeout: '10s', retry_policy: { retry_on: 'reset', num_retries: 4 } }, { prefix: '/own' }), route({ cluster: 'c', timeout: '0s' })],
      [],
    );
    const own = forward(t.route(request({ path: '/own' })));
    expect(own).toMatchObject({ timeoutMs: 2500, idleTimeoutMs: 10000, retry: { numRetries: 4 } });
    expect(forward(t.route(request())).timeoutMs).toBe(0);
    const inherited = table([route({ cluster: 'c' })], [], {});
    expect(forward(inherited.route(request())).retry).toBeUndefined();
    const vhPolicy = tableWithVhRetry();
    expect(forward(vhPolicy.route(request())).retry).toMatchObject({ numRetries: 7, baseIntervalMs: 25, maxIntervalMs: 250 });
  });

  it('collects hash inputs: header, cookie, source IP, query parameter; terminal stops', () => {
    const t = table([route({
      cluster: 'c',
      hash_policy: [
        { header: { header_name: 'X-User' } },
        { cookie: { name: 'session' } },
        { connection_properties: { source_ip: true } },
        { query_parameter: { name: 'shard' } },
      ],
    })]);
    expect(forward(t.route(request({ path: '/?shard=7', headers: ['x-user', 'jason', 'cookie', 'a=1; session=abc'] }))).hashInputs)
      .toEqual(['jason', 'abc', '10.0.0.9', '7']);
    expect(forward(t.route(request({ sourceIp: '' }))).hashInputs).toBeUndefined();
    const terminal = table([route({ cluster: 'c', hash_policy: [{ header: { header_name: 'x-user' }, terminal: true }, { connection_properties: { source_ip: true } }] })]);
    expect(forward(terminal.route(request({ headers: ['x-user', 'u'] }))).hashInputs).toEqual(['u']);
    expect(forward(terminal.route(request())).hashInputs).toEqual(['10.0.0.9']);
  });

  it('samples mirrors by their fractions', () => {
    const t = table([route({
      cluster: 'c',
      request_mirror_policies: [
        { cluster: 'always' },
        { cluster: 'tenth', runtime_fraction: { default_value: { numerator: 10 } } },
      ],
    })]);
    expect(forward(t.route(request({ random: () => 0.05 }))).mirrors).toEqual(['always', 'tenth']);
    expect(forward(t.route(request({ random: () => 0.5 }))).mirrors).toEqual(['always']);
    const random = seededRandom(7);
    let mirrored = 0;
    for (let i = 0; i < 10000; i++) if (forward(t.route(request({ random }))).mirrors.length === 2) mirrored++;
    expect(Math.abs(mirrored / 10000 - 0.1)).toBeLessThan(0.015);
    const staticMirror = table([route({ cluster: 'c', request_mirror_policies: [{ cluster: 'm' }] })]);
    expect(staticMirror.route(request())).toBe(staticMirror.route(request()));
  });

  it('orders header ops most specific first, removals before additions, and skips empty values', () => {
    const t = table(
      [route({ cluster: 'c' }, { prefix: '/' }, {
        request_headers_to_add: [{ header: { key: 'x-level', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }, { header: { key: 'x-empty', value: '' } }],
        request_headers_to_remove: ['x-debug'],
        response_headers_to_add: [{ header: { key: 'x-served-by', value: 'svc' }, append_action: 'ADD_IF_ABSENT' }],
      })],
      [],
      { request_headers_to_add: [{ header: { key: 'x-level', value: 'config' }, append_action: 'OVERWRITE_IF_EXISTS' }], response_headers_to_remove: ['server'] },
    );
    const d = forward(t.route(request()));
    expect(d.requestHeaderOps).toEqual([
      { op: 'remove', name: 'x-debug' },
      { op: 'set', name: 'x-level', value: 'route' },
      { op: 'setIfPresent', name: 'x-level', value: 'config' },
    ]);
    expect(d.responseHeaderOps).toEqual([{ op: 'addIfAbsent', name: 'x-served-by', value: 'svc' }, { op: 'remove', name: 'server' }]);
    expect(applyHeaderOps(d.requestHeaderOps, ['X-Debug', '1', 'accept', '*/*'])).toEqual(['accept', '*/*', 'x-level', 'config']);
    expect(applyHeaderOps([{ op: 'append', name: 'a', value: '2' }, { op: 'addIfAbsent', name: 'a', value: '3' }], ['a', '1'])).toEqual(['a', '1', 'a', '2']);
  });

  it('rewrites the matched prefix, keeping the rest and the query', () => {
    const t = table([
      route({ cluster: 'c', prefix_rewrite: '/v1/reviews' }, { prefix: '/reviews' }),
      route({ cluster: 'c', prefix_rewrite: '/' }, { prefix: '/API/', case_sensitive: false }),
      route({ cluster: 'c', prefix_rewrite: '/new' }, { path: '/old' }),
    ]);
    expect(forward(t.route(request({ path: '/reviews/1?x=2' }))).path).toBe('/v1/reviews/1?x=2');
    expect(forward(t.route(request({ path: '/api/users' }))).path).toBe('/users');
    expect(forward(t.route(request({ path: '/old?a=b' }))).path).toBe('/new?a=b');
  });

  it('rewrites by regex with substitution groups, on the path only', () => {
    const t = table([route({ cluster: 'c', regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' } })]);
    expect(forward(t.route(request({ path: '/service/foo/v1/api?x=1' }))).path).toBe('/v1/api/instance/foo?x=1');
    const all = table([route({ cluster: 'c', regex_rewrite: { pattern: { regex: 'a' }, substitution: 'b' } })]);
    expect(forward(all.route(request({ path: '/aaa?a' }))).path).toBe('/bbb?a');
  });

  it('rewrites the host: literal, auto, from a header', () => {
    expect(forward(table([route({ cluster: 'c', host_rewrite_literal: 'upstream.local' })]).route(request())).host).toBe('upstream.local');
    expect(forward(table([route({ cluster: 'c', auto_host_rewrite: true })]).route(request())).autoHostRewrite).toBe(true);
    const byHeader = table([route({ cluster: 'c', host_rewrite_header: 'x-host' })]);
    expect(forward(byHeader.route(request({ headers: ['x-host', 'h.example'] }))).host).toBe('h.example');
    expect(forward(byHeader.route(request())).host).toBeUndefined();
  });

  it('draws randomness only where a choice is made', () => {
    const random = jest.fn(sequence(0.5));
    table([route({ cluster: 'c', request_mirror_policies: [{ cluster: 'm' }] })]).route(request({ random }));
    expect(random).not.toHaveBeenCalled();
  });
});

function tableWithVhRetry() {
  return table([], [], {
    virtual_hosts: [{ name: 'svc', domains: ['svc'], retry_policy: { retry_on: '5xx', num_retries: 7 }, routes: [route({ cluster: 'c' })] }],
  });
}
