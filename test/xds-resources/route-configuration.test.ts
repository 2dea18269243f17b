/** RouteConfiguration: valid shapes, and each Envoy rule as an exact field-path error. */
import { decodeRouteConfiguration, RouteConfiguration } from '../../runtime/xds/resources';

type Plain = Record<string, unknown>;

function config(routes: Plain[], extraHosts: Plain[] = []): Plain {
  return { name: '9080', virtual_hosts: [{ name: 'reviews', domains: ['reviews', 'reviews:9080'], routes }, ...extraHosts] };
}
const toReviews = (extra: Plain = {}): Plain => ({ match: { prefix: '/' }, route: { cluster: 'reviews', ...extra } });

function errors(plain: Plain): string[] {
  const r = decodeRouteConfiguration(plain);
  return r.ok ? [] : r.errors;
}
function value(plain: Plain): RouteConfiguration {
  const r = decodeRouteConfiguration(plain);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

describe('decodeRouteConfiguration', () => {
  it('fills Envoy defaults: 15 s timeout, case-sensitive, no retries', () => {
    const route = value(config([toReviews()])).virtualHosts[0]?.routes[0];
    expect(route?.action).toMatchObject({ kind: 'forward', cluster: { kind: 'cluster', name: 'reviews' }, timeoutMs: 15000, clusterNotFoundStatus: 503 });
    expect(route?.match).toEqual({ path: { kind: 'prefix', value: '/' }, caseSensitive: true, headers: [], queryParameters: [], fraction: 1, grpc: false });
  });

  it('classifies domains', () => {
    const vh = value(config([toReviews()], [{ name: 'w', domains: ['*.Example.com', 'api.*', '*'], routes: [] }])).virtualHosts[1];
    expect(vh?.domainPatterns).toEqual([{ kind: 'suffix', value: '.example.com' }, { kind: 'prefix', value: 'api.' }, { kind: 'any' }]);
  });

  it('requires exactly one path specifier', () => {
    expect(errors(config([{ match: {}, route: { cluster: 'a' } }]))).toEqual([
      'virtual_hosts[0].routes[0].match: exactly one of prefix, path, safe_regex, path_separated_prefix is required',
    ]);
    expect(errors(config([{ match: { prefix: '/', path: '/a' }, route: { cluster: 'a' } }]))).toEqual([
      'virtual_hosts[0].routes[0].match: exactly one of prefix, path, safe_regex, path_separated_prefix is required (got prefix, path)',
    ]);
  });

  it('requires an action and a match', () => {
    expect(errors(config([{ match: { prefix: '/' } }]))).toEqual([
      'virtual_hosts[0].routes[0]: exactly one of route, redirect, direct_response, filter_action, non_forwarding_action is required',
    ]);
    expect(errors(config([{ route: { cluster: 'a' } }]))).toEqual(['virtual_hosts[0].routes[0].match: is required']);
  });

  it('rejects regexes JavaScript cannot compile, and RE2-only violations', () => {
    expect(errors(config([{ match: { safe_regex: { regex: '/a(' } }, route: { cluster: 'a' } }]))[0])
      .toMatch(/^virtual_hosts\[0\]\.routes\[0\]\.match\.safe_regex\.regex: invalid regex '\/a\(': Invalid regular expression/);
    expect(errors(config([{ match: { safe_regex: { regex: '/(?=a)' } }, route: { cluster: 'a' } }]))).toEqual([
      "virtual_hosts[0].routes[0].match.safe_regex.regex: invalid regex '/(?=a)': lookahead is not supported by RE2",
    ]);
    expect(errors(config([{ match: { safe_regex: { regex: '(a)\\1' } }, route: { cluster: 'a' } }]))).toEqual([
      "virtual_hosts[0].routes[0].match.safe_regex.regex: invalid regex '(a)\\1': backreferences are not supported by RE2 (\\1)",
    ]);
  });

  it('compiles RE2 spellings: named groups, leading (?i), substitution groups', () => {
    const route = value(config([{
      match: { safe_regex: { regex: '(?i)/(?P<id>[0-9]+)' } },
      route: { cluster: 'a', regex_rewrite: { pattern: { regex: '^/v1/(.*)$' }, substitution: '/v2/\\1' } },
    }])).virtualHosts[0]?.routes[0];
    const path = route?.match.path;
    expect(path?.kind === 'regex' && path.regex.test('/42')).toBe(true);
    const rewrite = route?.action.kind === 'forward' ? route.action.regexRewrite : undefined;
    expect('/v1/x'.replace(rewrite?.pattern ?? /x/, rewrite?.substitution ?? '')).toBe('/v2/x');
  });

  describe('weighted clusters', () => {
    const weighted = (clusters: Plain[], total?: number): Plain =>
      config([{ match: { prefix: '/' }, route: { weighted_clusters: { clusters, ...(total !== undefined ? { total_weight: total } : {}) } } }]);

    it('accepts weights summing to total_weight, and any positive sum without it', () => {
      expect(errors(weighted([{ name: 'a', weight: 60 }, { name: 'b', weight: 40 }], 100))).toEqual([]);
      expect(errors(weighted([{ name: 'a', weight: 1 }, { name: 'b', weight: 0 }]))).toEqual([]);
    });

    it('rejects a sum differing from total_weight (boundary 99, 101)', () => {
      expect(errors(weighted([{ name: 'a', weight: 50 }, { name: 'b', weight: 49 }], 100))).toEqual([
        'virtual_hosts[0].routes[0].route.weighted_clusters.total_weight: weights must sum to total_weight 100 (got 99: a=50, b=49)',
      ]);
      expect(errors(weighted([{ name: 'a', weight: 50 }, { name: 'b', weight: 51 }], 100))).toHaveLength(1);
    });

    it('rejects all-zero weights, no clusters, and nameless clusters', () => {
      expect(errors(weighted([{ name: 'a', weight: 0 }]))).toEqual([
        'virtual_hosts[0].routes[0].route.weighted_clusters.clusters: the sum of the weights must be greater than 0',
      ]);
      expect(errors(weighted([]))).toEqual(['virtual_hosts[0].routes[0].route.weighted_clusters.clusters: must hold at least 1 item (got 0)']);
      expect(errors(weighted([{ weight: 1 }]))).toEqual(['virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].name: is required']);
    });
  });

  it('rejects duplicate virtual host names and duplicate domains across virtual hosts', () => {
    expect(errors(config([], [{ name: 'reviews', domains: ['Reviews'], routes: [] }, { name: 'all', domains: ['*'] }, { name: 'all2', domains: ['*'] }]))).toEqual([
      "virtual_hosts[1].name: duplicate virtual host name 'reviews' (also virtual_hosts[0])",
      "virtual_hosts[1].domains[0]: duplicate domain 'Reviews' (also virtual_hosts[0].domains[0]); domains must be unique across the virtual hosts of a route configuration",
      "virtual_hosts[3].domains[0]: only one virtual host may use the wildcard domain '*' (also virtual_hosts[2].domains[0])",
    ]);
  });

  it('requires a name and at least one domain', () => {
    expect(errors({ virtual_hosts: [{ domains: [] }] })).toEqual([
      'name: is required',
      'virtual_hosts[0].name: is required',
      'virtual_hosts[0].domains: must hold at least 1 item (got 0)',
    ]);
  });

  it('checks timeouts and retry policies', () => {
    expect(errors(config([toReviews({ timeout: '-1s' })]))).toEqual(["virtual_hosts[0].routes[0].route.timeout: must be at least 0s (got -1s)"]);
    expect(errors(config([toReviews({ timeout: '100ms' })]))).toEqual([
      "virtual_hosts[0].routes[0].route.timeout: invalid duration '100ms' (expected seconds with an 's' suffix, like '0.5s')",
    ]);
    expect(errors(config([toReviews({ retry_policy: { retry_on: '5xx,sometimes', retriable_status_codes: [503, 600] } })]))).toEqual([
      "virtual_hosts[0].routes[0].route.retry_policy.retry_on: unknown retry condition 'sometimes' (expected any of 5xx, gateway-error, reset, reset-before-request, connect-failure, envoy-ratelimited, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, http3-post-connect-failure, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable)",
      'virtual_hosts[0].routes[0].route.retry_policy.retriable_status_codes[1]: expected an HTTP status code between 100 and 599, got 600',
    ]);
    expect(errors(config([toReviews({ retry_policy: { retry_back_off: { base_interval: '1s', max_interval: '0.5s' } } })]))).toEqual([
      'virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.max_interval: must be at least base_interval (got 500ms < 1000ms)',
    ]);
  });

  it('rejects prefix_rewrite with regex_rewrite or with a regex match', () => {
    expect(errors(config([{ match: { safe_regex: { regex: '/a' } }, route: { cluster: 'a', prefix_rewrite: '/b' } }]))).toEqual([
      "virtual_hosts[0].routes[0].route.prefix_rewrite: cannot be used with a safe_regex match (use regex_rewrite, or a prefix or path match)",
    ]);
    expect(errors(config([toReviews({ prefix_rewrite: '/b', regex_rewrite: { pattern: { regex: 'a' }, substitution: 'b' } })]))).toEqual([
      'virtual_hosts[0].routes[0].route.prefix_rewrite: cannot be set together with regex_rewrite',
    ]);
  });

  it('decodes hash policies and mirrors, and rejects an empty hash policy', () => {
    const action = value(config([toReviews({
      hash_policy: [{ cookie: { name: 's', ttl: '60s' }, terminal: true }, { connection_properties: { source_ip: true } }],
      request_mirror_policies: [{ cluster: 'shadow', runtime_fraction: { default_value: { numerator: 25, denominator: 'HUNDRED' } } }],
    })])).virtualHosts[0]?.routes[0]?.action;
    expect(action).toMatchObject({
      hashPolicies: [{ kind: 'cookie', name: 's', ttlMs: 60000, terminal: true }, { kind: 'sourceIp', terminal: false }],
      mirrors: [{ cluster: 'shadow', fraction: 0.25 }],
    });
    expect(errors(config([toReviews({ hash_policy: [{}] })]))).toEqual([
      'virtual_hosts[0].routes[0].route.hash_policy[0]: exactly one of header, cookie, connection_properties, query_parameter, filter_state is required',
    ]);
  });

  describe('redirects and direct responses', () => {
    it('decodes a redirect with its status', () => {
      const route = value(config([{ match: { path: '/old' }, redirect: { path_redirect: '/new', response_code: 'FOUND', https_redirect: true } }])).virtualHosts[0]?.routes[0];
      expect(route?.action).toEqual({ kind: 'redirect', scheme: 'https', path: { kind: 'replace', value: '/new' }, status: 302, stripQuery: false });
    });

    it('checks the redirect code and port', () => {
      expect(errors(config([{ match: { path: '/' }, redirect: { response_code: 'GONE', port_redirect: 65536 } }]))).toEqual([
        'virtual_hosts[0].routes[0].redirect.port_redirect: must be between 0 and 65535 (got 65536)',
        "virtual_hosts[0].routes[0].redirect.response_code: unknown value 'GONE' (expected one of MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT)",
      ]);
    });

    it.each([[199, false], [200, true], [599, true], [600, false]])('direct response status %d valid: %s', (status, valid) => {
      const e = errors(config([{ match: { prefix: '/' }, direct_response: { status } }]));
      expect(e).toEqual(valid ? [] : [`virtual_hosts[0].routes[0].direct_response.status: must be between 200 and 599 (got ${status})`]);
    });

    it('decodes the body and limits its size', () => {
      const action = value(config([{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'ok' } } }])).virtualHosts[0]?.routes[0]?.action;
      expect(action).toEqual({ kind: 'directResponse', status: 200, body: Buffer.from('ok') });
      expect(errors(config([{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'x'.repeat(4097) } } }]))).toEqual([
        'virtual_hosts[0].routes[0].direct_response.body: body is 4097 bytes, more than the limit of 4096 (max_direct_response_body_size_bytes)',
      ]);
      expect(errors(config([{ match: { prefix: '/' }, direct_response: { status: 200, body: { filename: '/etc/passwd' } } }]))).toEqual([
        'virtual_hosts[0].routes[0].direct_response.body.filename: file data sources are not supported here (send the content inline)',
      ]);
    });
  });

  describe('per-filter config', () => {
    const withFilter = (cfg: Plain): Plain => config([{ ...toReviews(), typed_per_filter_config: cfg }]);

    it('decodes fault and CORS, and disabled filters', () => {
      const route = value(withFilter({
        'envoy.filters.http.fault': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
          abort: { http_status: 503, percentage: { numerator: 1000, denominator: 'MILLION' } },
        },
        'envoy.filters.http.cors': { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true },
      })).virtualHosts[0]?.routes[0];
      expect(route?.filterConfigs).toEqual({
        'envoy.filters.http.fault': { kind: 'fault', config: { abort: { kind: 'http', status: 503, fraction: 0.001 } } },
        'envoy.filters.http.cors': { kind: 'disabled' },
      });
    });

    it('rejects unknown types unless optional, and bad fault values', () => {
      expect(errors(withFilter({ x: { '@type': 'type.googleapis.com/acme.Thing' } }))).toEqual([
        "virtual_hosts[0].routes[0].typed_per_filter_config[x]: unsupported per-filter config type 'type.googleapis.com/acme.Thing' (mark it optional with a FilterConfig whose is_optional is true to ignore it)",
      ]);
      expect(errors(withFilter({ x: { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', is_optional: true, config: { '@type': 'type.googleapis.com/acme.Thing' } } }))).toEqual([]);
      expect(errors(withFilter({
        f: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', abort: { http_status: 600 }, delay: { fixed_delay: '0s' } },
      }))).toEqual([
        'virtual_hosts[0].routes[0].typed_per_filter_config[f].delay.fixed_delay: must be greater than 0s (got 0s)',
        'virtual_hosts[0].routes[0].typed_per_filter_config[f].abort.http_status: must be between 200 and 599 (got 600)',
      ]);
    });
  });

  it('protects pseudo-headers and host from header operations', () => {
    expect(errors({ ...config([toReviews()]), request_headers_to_add: [{ header: { key: ':path', value: '/' } }], response_headers_to_remove: ['Host'] })).toEqual([
      "request_headers_to_add[0].header.key: cannot modify ':path' (pseudo-headers and host are protected)",
      "response_headers_to_remove[0]: cannot remove 'Host' (pseudo-headers and host are protected)",
    ]);
  });

  it('rejects a non-object', () => {
    expect(decodeRouteConfiguration('x')).toEqual({ ok: false, errors: ["expected an object, got 'x'"] });
  });
});
