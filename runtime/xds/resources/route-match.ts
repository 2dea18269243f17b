/** `route.v3.RouteMatch` and the header and query parameter matchers it holds. */
import type { Message } from './private/reader';
import { runtimeFractionalPercent } from './private/percent';
import { StringMatcher, decodeRegexMatcher, decodeStringMatcher } from './string-matcher';

export type PathMatch =
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'exact'; readonly value: string }
  /** The prefix, then end of path or `/` (Envoy's path_separated_prefix). */
  | { readonly kind: 'separatedPrefix'; readonly value: string }
  /** Anchored: matches the whole path (without the query). */
  | { readonly kind: 'regex'; readonly regex: RegExp };

export type HeaderMatch =
  | { readonly kind: 'string'; readonly matcher: StringMatcher }
  | { readonly kind: 'present'; readonly present: boolean }
  /** The value is an integer in [start, end). */
  | { readonly kind: 'range'; readonly start: number; readonly end: number };

export interface HeaderMatcher {
  /** Lower-cased header name (pseudo-headers such as `:method` included). */
  readonly name: string;
  readonly match: HeaderMatch;
  readonly invert: boolean;
  /** A missing header is matched as the empty string. */
  readonly treatMissingAsEmpty: boolean;
}

export interface QueryParameterMatcher {
  readonly name: string;
  /** `undefined`: the parameter must be present. */
  readonly matcher?: StringMatcher;
}

export interface RouteMatch {
  readonly path: PathMatch;
  /** @default true */
  readonly caseSensitive: boolean;
  readonly headers: readonly HeaderMatcher[];
  readonly queryParameters: readonly QueryParameterMatcher[];
  /** Share of matching requests that take the route, 0..1. @default 1 */
  readonly fraction: number;
  /** Only gRPC requests (content-type application/grpc). */
  readonly grpc: boolean;
}

const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
const PATH_KINDS = ['prefix', 'path', 'safe_regex', 'path_separated_prefix'] as const;

/** Reads a `route.v3.HeaderMatcher`. */
export function decodeHeaderMatcher(m: Message): HeaderMatcher | undefined {
  const name = m.string('name', { required: true });
  if (name !== undefined && !HEADER_NAME.test(name)) m.error('name', `invalid header name '${name}'`);
  const kind = m.oneof(['exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match', 'contains_match', 'string_match'] as const);
  let match: HeaderMatch | undefined;
  switch (kind) {
    case undefined:
      match = { kind: 'present', present: true };
      break;
    case 'present_match':
      match = { kind: 'present', present: m.bool('present_match', true) };
      break;
    case 'range_match': {
      const r = m.message('range_match');
      const start = r?.number('start');
      const end = r?.number('end');
      if (r && start !== undefined && end !== undefined) {
        if (!Number.isInteger(start) || !Number.isInteger(end)) r.error(undefined, 'start and end must be integers');
        else if (start >= end) r.error(undefined, `start must be below end (got ${start}..${end})`);
        else match = { kind: 'range', start, end };
      } else if (r && (start === undefined || end === undefined)) {
        r.error(undefined, 'start and end are required');
      }
      break;
    }
    case 'string_match': {
      const s = m.message('string_match');
      const matcher = s ? decodeStringMatcher(s) : undefined;
      if (matcher) match = { kind: 'string', matcher };
      break;
    }
    case 'safe_regex_match': {
      const r = m.message('safe_regex_match');
      const regex = r ? decodeRegexMatcher(r) : undefined;
      if (regex) match = { kind: 'string', matcher: { kind: 'regex', regex } };
      break;
    }
    default: {
      const value = m.string(kind) ?? '';
      const simple = kind === 'exact_match' ? 'exact' : kind === 'prefix_match' ? 'prefix' : kind === 'suffix_match' ? 'suffix' : 'contains';
      if (value === '' && simple !== 'exact') m.error(kind, 'must not be empty');
      else match = { kind: 'string', matcher: { kind: simple, value, ignoreCase: false } };
    }
  }
  const invert = m.bool('invert_match', false);
  const treatMissingAsEmpty = m.bool('treat_missing_header_as_empty', false);
  if (name === undefined || match === undefined) return undefined;
  return { name: name.toLowerCase(), match, invert, treatMissingAsEmpty };
}

function decodeQueryParameterMatcher(m: Message): QueryParameterMatcher | undefined {
  const name = m.string('name', { required: true });
  const kind = m.oneof(['string_match', 'present_match'] as const);
  let matcher: StringMatcher | undefined;
  if (kind === 'string_match') {
    const s = m.message('string_match');
    matcher = s ? decodeStringMatcher(s) : undefined;
    if (!matcher) return undefined;
  } else if (kind === 'present_match' && !m.bool('present_match', true)) {
    m.error('present_match', 'must be true when set (absence cannot be matched)');
  }
  if (name === undefined) return undefined;
  return matcher ? { name, matcher } : { name };
}

/** Reads a `route.v3.RouteMatch`. */
export function decodeRouteMatch(m: Message): RouteMatch | undefined {
  m.unsupported(['connect_matcher', 'path_match_policy', 'tls_context', 'dynamic_metadata', 'filter_state', 'cel_expression']);
  const kind = m.oneof(PATH_KINDS, { required: !m.has('connect_matcher') && !m.has('path_match_policy') });
  let path: PathMatch | undefined;
  if (kind === 'prefix') {
    const value = m.string('prefix');
    if (value !== undefined) path = { kind: 'prefix', value };
  } else if (kind === 'path') {
    const value = m.string('path');
    if (value !== undefined) path = { kind: 'exact', value };
  } else if (kind === 'path_separated_prefix') {
    const value = m.string('path_separated_prefix');
    if (value !== undefined) {
      if (!/^[^?#]+[^?#/]$/.test(value)) {
        m.error('path_separated_prefix', `must hold no '?' or '#' and not end with '/' (got '${value}')`);
      } else {
        path = { kind: 'separatedPrefix', value };
      }
    }
  } else if (kind === 'safe_regex') {
    const r = m.message('safe_regex');
    const regex = r ? decodeRegexMatcher(r) : undefined;
    if (regex) path = { kind: 'regex', regex };
  }
  const caseSensitive = m.bool('case_sensitive', true);
  const headers = m.messages('headers').map(decodeHeaderMatcher).filter((h): h is HeaderMatcher => h !== undefined);
  const queryParameters = m.messages('query_parameters').map(decodeQueryParameterMatcher).filter((q): q is QueryParameterMatcher => q !== undefined);
  const runtime = m.message('runtime_fraction');
  const fraction = runtime ? runtimeFractionalPercent(runtime) : 1;
  const grpc = m.has('grpc');
  if (!path) return undefined;
  return { path, caseSensitive, headers, queryParameters, fraction, grpc };
}
