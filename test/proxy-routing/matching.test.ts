/** Route matching: first match wins; path kinds; case; headers and pseudo-headers; query parameters; gRPC; runtime fraction. */
import { Plain, landing, table } from './helpers';

const to = (name: string, match: Plain): Plain => ({ name, match, route: { cluster: name } });

describe('route matching', () => {
  it('takes the first matching route, not the most specific', () => {
    const t = table([to('root', { prefix: '/' }), to('api', { prefix: '/api' })]);
    expect(landing(t, { path: '/api/x' })).toBe('root');
  });

  it('matches prefixes against the path with its query', () => {
    const t = table([to('q', { prefix: '/a?x' }), to('a', { prefix: '/a' })]);
    expect(landing(t, { path: '/a?x=1' })).toBe('q');
    expect(landing(t, { path: '/ab' })).toBe('a');
    expect(landing(t, { path: '/b' })).toBe('NR');
  });

  it('matches exact paths without the query', () => {
    const t = table([to('exact', { path: '/login' })]);
    expect(landing(t, { path: '/login' })).toBe('exact');
    expect(landing(t, { path: '/login?next=/' })).toBe('exact');
    expect(landing(t, { path: '/login/' })).toBe('NR');
    expect(landing(t, { path: '/Login' })).toBe('NR');
  });

  it('anchors regexes to the whole path (query excluded)', () => {
    const t = table([to('re', { safe_regex: { regex: '/reviews/[0-9]+' } })]);
    expect(landing(t, { path: '/reviews/12' })).toBe('re');
    expect(landing(t, { path: '/reviews/12?a=b' })).toBe('re');
    expect(landing(t, { path: '/reviews/12/x' })).toBe('NR');
    expect(landing(t, { path: '/x/reviews/12' })).toBe('NR');
  });

  it('matches path_separated_prefix only at a segment boundary', () => {
    const t = table([to('sep', { path_separated_prefix: '/api' })]);
    expect(landing(t, { path: '/api' })).toBe('sep');
    expect(landing(t, { path: '/api/v1' })).toBe('sep');
    expect(landing(t, { path: '/api?x' })).toBe('sep');
    expect(landing(t, { path: '/apiary' })).toBe('NR');
  });

  it('ignores case when case_sensitive is false', () => {
    const t = table([to('p', { prefix: '/API', case_sensitive: false }), to('e', { path: '/Exact', case_sensitive: false })]);
    expect(landing(t, { path: '/api/x' })).toBe('p');
    expect(landing(t, { path: '/EXACT' })).toBe('e');
    expect(landing(table([to('cs', { prefix: '/API' })]), { path: '/api' })).toBe('NR');
  });

  it('matches headers: exact, prefix, suffix, contains, regex, present, absent', () => {
    const t = table([
      to('exact', { prefix: '/', headers: [{ name: 'x-a', exact_match: 'one' }] }),
      to('prefix', { prefix: '/', headers: [{ name: 'x-b', string_match: { prefix: 'pre' } }] }),
      to('suffix', { prefix: '/', headers: [{ name: 'x-c', suffix_match: 'end' }] }),
      to('contains', { prefix: '/', headers: [{ name: 'x-d', contains_match: 'mid' }] }),
      to('regex', { prefix: '/', headers: [{ name: 'x-e', safe_regex_match: { regex: '[0-9]{3}' } }] }),
      to('present', { prefix: '/', headers: [{ name: 'x-f', present_match: true }] }),
      to('absent', { prefix: '/', headers: [{ name: 'x-g', present_match: false }] }),
    ]);
    expect(landing(t, { headers: ['X-A', 'one', 'x-g', '1'] })).toBe('exact');
    expect(landing(t, { headers: ['x-a', 'One', 'x-g', '1'] })).toBe('NR');
    expect(landing(t, { headers: ['x-b', 'prefix', 'x-g', '1'] })).toBe('prefix');
    expect(landing(t, { headers: ['x-c', 'the end', 'x-g', '1'] })).toBe('suffix');
    expect(landing(t, { headers: ['x-d', 'amidst', 'x-g', '1'] })).toBe('contains');
    expect(landing(t, { headers: ['x-e', '123', 'x-g', '1'] })).toBe('regex');
    expect(landing(t, { headers: ['x-e', '1234', 'x-g', '1'] })).toBe('NR');
    expect(landing(t, { headers: ['x-f', '', 'x-g', '1'] })).toBe('present');
    expect(landing(t, {})).toBe('absent');
  });

  it('inverts header matches; a missing header still fails a value match unless treated as empty', () => {
    const t = table([
      to('not-v1', { prefix: '/', headers: [{ name: 'version', exact_match: 'v1', invert_match: true }] }),
      to('other', { prefix: '/' }),
    ]);
    expect(landing(t, { headers: ['version', 'v2'] })).toBe('not-v1');
    expect(landing(t, { headers: ['version', 'v1'] })).toBe('other');
    expect(landing(t, {})).toBe('other');
    const empty = table([to('e', { prefix: '/', headers: [{ name: 'version', exact_match: 'v1', invert_match: true, treat_missing_header_as_empty: true }] })]);
    expect(landing(empty, {})).toBe('e');
    const notPresent = table([to('np', { prefix: '/', headers: [{ name: 'x', present_match: true, invert_match: true }] })]);
    expect(landing(notPresent, {})).toBe('np');
    expect(landing(notPresent, { headers: ['x', '1'] })).toBe('NR');
  });

  it('matches integer ranges [start, end)', () => {
    const t = table([to('r', { prefix: '/', headers: [{ name: 'x-n', range_match: { start: -10, end: 0 } }] })]);
    expect(landing(t, { headers: ['x-n', '-1'] })).toBe('r');
    expect(landing(t, { headers: ['x-n', '-10'] })).toBe('r');
    expect(landing(t, { headers: ['x-n', '0'] })).toBe('NR');
    expect(landing(t, { headers: ['x-n', '-1.5'] })).toBe('NR');
  });

  it('joins repeated headers with commas before matching', () => {
    const t = table([to('j', { prefix: '/', headers: [{ name: 'x-a', exact_match: 'a,b' }] })]);
    expect(landing(t, { headers: ['x-a', 'a', 'X-A', 'b'] })).toBe('j');
  });

  it('matches the :method, :authority, :path and :scheme pseudo-headers', () => {
    const t = table([
      to('post', { prefix: '/', headers: [{ name: ':method', exact_match: 'POST' }] }),
      to('port', { prefix: '/', headers: [{ name: ':authority', suffix_match: ':80' }] }),
      to('https', { prefix: '/', headers: [{ name: ':scheme', exact_match: 'https' }] }),
      to('path', { prefix: '/', headers: [{ name: ':path', contains_match: 'x=1' }] }),
    ]);
    expect(landing(t, { method: 'POST' })).toBe('post');
    expect(landing(t, { authority: 'svc:80' })).toBe('port');
    expect(landing(t, { scheme: 'https' })).toBe('https');
    expect(landing(t, { path: '/a?x=1' })).toBe('path');
    expect(landing(t, {})).toBe('NR');
  });

  it('matches query parameters: value, presence, first occurrence, percent-decoding', () => {
    const t = table([
      to('v', { prefix: '/', query_parameters: [{ name: 'debug', string_match: { exact: 'on' } }] }),
      to('p', { prefix: '/', query_parameters: [{ name: 'trace', present_match: true }] }),
      to('d', { prefix: '/', query_parameters: [{ name: 'q', string_match: { exact: 'a b' } }] }),
    ]);
    expect(landing(t, { path: '/x?a=1&debug=on' })).toBe('v');
    expect(landing(t, { path: '/x?debug=off&debug=on' })).toBe('NR');
    expect(landing(t, { path: '/x?trace' })).toBe('p');
    expect(landing(t, { path: '/x?q=a%20b' })).toBe('d');
    expect(landing(t, { path: '/x?debugx=on' })).toBe('NR');
  });

  it('requires application/grpc for grpc matches', () => {
    const t = table([to('g', { prefix: '/', grpc: {} })]);
    expect(landing(t, { headers: ['content-type', 'application/grpc+proto'] })).toBe('g');
    expect(landing(t, { headers: ['content-type', 'application/json'] })).toBe('NR');
  });

  it('takes a route with a runtime fraction for that share of requests, drawing only when the rest matched', () => {
    const t = table([to('canary', { prefix: '/', runtime_fraction: { default_value: { numerator: 25 } } }), to('main', { prefix: '/' })]);
    expect(landing(t, { random: () => 0.2 })).toBe('canary');
    expect(landing(t, { random: () => 0.3 })).toBe('main');
    const never = jest.fn(() => 0);
    const gated = table([to('c', { prefix: '/only', runtime_fraction: { default_value: { numerator: 25 } } })]);
    expect(landing(gated, { path: '/other', random: never })).toBe('NR');
    expect(never).not.toHaveBeenCalled();
  });

  it('answers 404 NR naming the virtual host when no route matches', () => {
    const t = table([to('a', { path: '/a' })]);
    expect(t.route({ method: 'GET', path: '/b', authority: 'svc', sourceIp: '', header: () => undefined, headerValues: () => [] }))
      .toEqual({ kind: 'noRoute', status: 404, responseFlag: 'NR', virtualHost: 'svc' });
  });
});
