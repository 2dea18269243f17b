/** Redirects and direct responses. */
import { RouteDecision } from '../../runtime/proxy/routing';
import { Plain, request, table } from './helpers';
import type { FlatHeadersRequestInit } from '../../runtime/proxy/routing';

function redirect(action: Plain, init: Partial<FlatHeadersRequestInit> = {}, match: Plain = { prefix: '/' }): RouteDecision {
  return table([{ name: 'r', match, redirect: action }]).route(request({ authority: 'svc', ...init }));
}
const location = (action: Plain, init: Partial<FlatHeadersRequestInit> = {}, match?: Plain): string => {
  const d = redirect(action, init, match);
  if (d.kind !== 'redirect') throw new Error(d.kind);
  return d.location;
};

describe('redirects', () => {
  it('defaults to 301 and keeps scheme, host, path and query', () => {
    expect(redirect({}, { path: '/a?b=1' })).toMatchObject({ kind: 'redirect', status: 301, location: 'http://svc/a?b=1' });
  });

  it.each([['FOUND', 302], ['SEE_OTHER', 303], ['TEMPORARY_REDIRECT', 307], ['PERMANENT_REDIRECT', 308]])('answers %s as %d', (code, status) => {
    expect(redirect({ response_code: code })).toMatchObject({ status });
  });

  it('replaces scheme, host, port and path', () => {
    expect(location({ scheme_redirect: 'https', host_redirect: 'example.com', port_redirect: 8443, path_redirect: '/new' }, { path: '/old?q=1' }))
      .toBe('https://example.com:8443/new?q=1');
    expect(location({ https_redirect: true }, { authority: 'svc:80', path: '/x' })).toBe('https://svc/x');
    expect(location({ https_redirect: true }, { authority: 'svc:8080', path: '/x' })).toBe('https://svc:8080/x');
    expect(location({ port_redirect: 9090 }, { authority: 'svc:80' })).toBe('http://svc:9090/');
  });

  it('rewrites the matched prefix, or by regex', () => {
    expect(location({ prefix_rewrite: '/v2' }, { path: '/v1/items?x=1' }, { prefix: '/v1' })).toBe('http://svc/v2/items?x=1');
    expect(location({ regex_rewrite: { pattern: { regex: '^/u/([0-9]+)$' }, substitution: '/users/\\1' } }, { path: '/u/42?x' })).toBe('http://svc/users/42?x');
  });

  it('strips the query on request, but keeps one given in path_redirect', () => {
    expect(location({ strip_query: true }, { path: '/a?b=1' })).toBe('http://svc/a');
    expect(location({ path_redirect: '/n?from=old', strip_query: true }, { path: '/a?b=1' })).toBe('http://svc/n?from=old');
  });

  it('redirects plain HTTP to HTTPS on a virtual host requiring TLS', () => {
    const t = table([], [], { virtual_hosts: [{ name: 'secure', domains: ['svc'], require_tls: 'ALL', routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }] }] });
    expect(t.route(request({ path: '/p?q' }))).toMatchObject({ kind: 'redirect', status: 301, location: 'https://svc/p?q' });
    expect(t.route(request({ scheme: 'https' })).kind).toBe('forward');
  });
});

describe('direct responses', () => {
  it('answers the status and body, the same object every time', () => {
    const t = table([{ name: 'health', match: { prefix: '/health' }, direct_response: { status: 200, body: { inline_string: 'ok' } }, response_headers_to_add: [{ header: { key: 'x-a', value: '1' } }] }, { match: { prefix: '/' }, direct_response: { status: 503 } }]);
    const d = t.route(request({ path: '/health' }));
    expect(d).toMatchObject({ kind: 'direct', status: 200, route: 'health', responseHeaderOps: [{ op: 'append', name: 'x-a', value: '1' }] });
    expect(d.kind === 'direct' && d.body?.toString()).toBe('ok');
    expect(t.route(request({ path: '/health' }))).toBe(d);
    const empty = t.route(request({ path: '/x' }));
    expect(empty).toMatchObject({ kind: 'direct', status: 503 });
    expect(empty.kind === 'direct' && empty.body).toBeUndefined();
  });
});
