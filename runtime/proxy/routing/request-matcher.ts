/**
 * A route's match conditions compiled to one predicate: path (prefix, exact,
 * anchored regex, path-separated prefix; case sensitivity), headers including
 * the `:method`, `:authority`, `:path` and `:scheme` pseudo-headers, query
 * parameters, gRPC, and the runtime fraction (drawn last, only when everything
 * else matched).
 */
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from '../../xds/resources';
import { matchString } from '../../xds/resources';
import { sample } from './random';
import { RouteRequest, pathOnly, queryParameter } from './route-request';

export interface CompiledMatch {
  /** Whether the request takes the route. */
  matches(request: RouteRequest): boolean;
  /**
   * Length of the path prefix the match consumed (prefix and path-separated
   * prefix matches), for `prefix_rewrite`; the whole path (without query) for
   * exact and regex matches.
   */
  matchedLength(path: string): number;
}

type HeaderValue = (request: RouteRequest) => string | undefined;

const PSEUDO: Readonly<Record<string, HeaderValue>> = {
  ':method': (r) => r.method,
  ':path': (r) => r.path,
  ':authority': (r) => r.authority,
  ':scheme': (r) => r.scheme ?? 'http',
};

/** A header matcher compiled to a predicate over the request. */
export function compileHeaderMatcher(m: HeaderMatcher): (request: RouteRequest) => boolean {
  const pseudo = m.name === 'host' ? PSEUDO[':authority'] : PSEUDO[m.name];
  const name = m.name;
  const read: HeaderValue = pseudo ?? ((r) => r.header(name));
  return (request) => headerMatches(m, read(request));
}

/** Whether a header matcher accepts a header value (`undefined`: the header is absent), inversion included. */
export function headerMatches(m: HeaderMatcher, value: string | undefined): boolean {
  if (value === undefined) {
    if (m.match.kind === 'present') return !m.match.present !== m.invert;
    // Envoy: a missing header fails every value match, inverted or not.
    if (!m.treatMissingAsEmpty) return false;
    value = '';
  }
  return matchValue(m, value) !== m.invert;
}

/** Whether a present header value satisfies the matcher (before inversion). */
export function matchValue(m: HeaderMatcher, value: string): boolean {
  switch (m.match.kind) {
    case 'present':
      return m.match.present;
    case 'string':
      return matchString(m.match.matcher, value);
    case 'range': {
      if (!/^[+-]?\d+$/.test(value)) return false;
      const n = Number(value);
      return n >= m.match.start && n < m.match.end;
    }
  }
}

function compileQuery(q: QueryParameterMatcher): (request: RouteRequest) => boolean {
  const name = q.name;
  const matcher: StringMatcher | undefined = q.matcher;
  return (request) => {
    const value = queryParameter(request.path, name);
    if (value === undefined) return false;
    return matcher === undefined || matchString(matcher, value);
  };
}

/** Compiles a route's match. */
export function compileMatch(match: RouteMatch): CompiledMatch {
  const path = compilePath(match);
  const headers = match.headers.map(compileHeaderMatcher);
  const queries = match.queryParameters.map(compileQuery);
  const { fraction, grpc } = match;
  return {
    matches(request) {
      if (!path.test(request.path)) return false;
      if (grpc && !(request.header('content-type') ?? '').startsWith('application/grpc')) return false;
      for (let i = 0; i < headers.length; i++) if (!(headers[i] as (r: RouteRequest) => boolean)(request)) return false;
      for (let i = 0; i < queries.length; i++) if (!(queries[i] as (r: RouteRequest) => boolean)(request)) return false;
      return fraction >= 1 || sample(fraction, request.random ?? Math.random);
    },
    matchedLength: path.length,
  };
}

interface PathTest {
  test(path: string): boolean;
  length(path: string): number;
}

function startsWithIgnoreCase(text: string, lowerPrefix: string): boolean {
  if (text.length < lowerPrefix.length) return false;
  if (text.startsWith(lowerPrefix)) return true;
  return text.slice(0, lowerPrefix.length).toLowerCase() === lowerPrefix;
}

function compilePath(match: RouteMatch): PathTest {
  const p = match.path;
  const cs = match.caseSensitive;
  switch (p.kind) {
    case 'prefix': {
      // Envoy compares a prefix with the whole `:path`, query included.
      const value = cs ? p.value : p.value.toLowerCase();
      const n = value.length;
      return {
        test: cs ? (path) => path.startsWith(value) : (path) => startsWithIgnoreCase(path, value),
        length: () => n,
      };
    }
    case 'separatedPrefix': {
      const value = cs ? p.value : p.value.toLowerCase();
      const n = value.length;
      return {
        test: (full) => {
          const path = pathOnly(full);
          if (!(cs ? path.startsWith(value) : startsWithIgnoreCase(path, value))) return false;
          return path.length === n || path.charCodeAt(n) === 47;
        },
        length: () => n,
      };
    }
    case 'exact': {
      const value = cs ? p.value : p.value.toLowerCase();
      return {
        test: (full) => {
          const path = pathOnly(full);
          return cs ? path === value : path.length === value.length && path.toLowerCase() === value;
        },
        length: (full) => pathOnly(full).length,
      };
    }
    case 'regex': {
      // The decoder anchors the pattern; case_sensitive does not apply to regexes in Envoy.
      const regex = p.regex;
      return { test: (full) => regex.test(pathOnly(full)), length: (full) => pathOnly(full).length };
    }
  }
}
