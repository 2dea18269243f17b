/**
 * Path rewrites for forwarded requests and the Location of redirects, as Envoy
 * computes them. The query string is kept unless a redirect strips it.
 */
import type { RedirectAction, RegexRewrite } from '../../xds/resources';
import { stripPort } from './virtual-host-index';

/** `prefix_rewrite`: the first `matchedLength` characters of `path` become `replacement`. */
export function rewritePrefix(path: string, matchedLength: number, replacement: string): string {
  return replacement + path.slice(matchedLength);
}

/** `regex_rewrite`: every match in the path (query excluded) is substituted; the query is kept. */
export function rewriteRegex(path: string, rewrite: RegexRewrite): string {
  const q = path.indexOf('?');
  const only = q < 0 ? path : path.slice(0, q);
  const rewritten = only.replace(rewrite.pattern, rewrite.substitution);
  return q < 0 ? rewritten : rewritten + path.slice(q);
}

function defaultPort(scheme: string): string {
  return scheme === 'https' ? '443' : scheme === 'http' ? '80' : '';
}

/**
 * The Location of a redirect. `matchedLength` is what the route's path match
 * consumed (for `prefix_rewrite`). Host: `host_redirect`, else the request's
 * authority — without its port when `port_redirect` is set, or when the scheme
 * changes and the port was the old scheme's default. Path: replaced
 * (a `?` in `path_redirect` brings its own query, never stripped), prefix-rewritten or
 * regex-rewritten; the query is kept unless `strip_query`.
 */
export function redirectLocation(
  action: RedirectAction,
  request: { readonly path: string; readonly authority: string; readonly scheme?: string },
  matchedLength: number,
): string {
  const requestScheme = request.scheme ?? 'http';
  const scheme = action.scheme ?? requestScheme;
  let host: string;
  if (action.host !== undefined) {
    host = action.host;
  } else {
    host = request.authority;
    const bare = stripPort(host);
    if (bare !== host) {
      const port = host.slice(bare.length + 1);
      if (action.port !== undefined || (scheme !== requestScheme && port === defaultPort(requestScheme))) host = bare;
    }
  }
  if (action.port !== undefined) host = `${stripPort(host)}:${action.port}`;

  const full = request.path;
  const q = full.indexOf('?');
  const pathPart = q < 0 ? full : full.slice(0, q);
  let query = q < 0 ? '' : full.slice(q);
  let path = pathPart;
  let keepQuery = false;
  const p = action.path;
  if (p?.kind === 'replace') {
    const pq = p.value.indexOf('?');
    if (pq >= 0) {
      path = p.value.slice(0, pq);
      query = p.value.slice(pq);
      keepQuery = true;
    } else {
      path = p.value;
    }
  } else if (p?.kind === 'prefix') {
    path = rewritePrefix(pathPart, Math.min(matchedLength, pathPart.length), p.value);
  } else if (p?.kind === 'regex') {
    path = pathPart.replace(p.rewrite.pattern, p.rewrite.substitution);
  }
  if ((action.stripQuery && !keepQuery) || query === '?') query = '';
  return `${scheme}://${host}${path}${query}`;
}
