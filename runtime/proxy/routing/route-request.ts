/**
 * What the route stage reads from a request. The HTTP engine adapts its parsed
 * request head to this view (or uses {@link FlatHeadersRequest}); the route
 * stage never sees sockets, buffers or protocol details.
 */
import type { RandomSource } from './random';

export interface RouteRequest {
  /** Upper-case method, e.g. `GET` (the `:method` pseudo-header). */
  readonly method: string;
  /** Origin-form target with its query, e.g. `/reviews/1?x=2` (the `:path` pseudo-header). */
  readonly path: string;
  /** `host[:port]` from `:authority` or Host; `''` when none (the `:authority` pseudo-header). */
  readonly authority: string;
  /** @default 'http' */
  readonly scheme?: string;
  /** The downstream peer's IP address, without port (hash policy `connection_properties.source_ip`). */
  readonly sourceIp: string;
  /**
   * The value of header `name` (given in lower case), or undefined when absent.
   * When the header appears more than once, its values joined with `,` (what
   * Envoy's header matchers see).
   */
  header(name: string): string | undefined;
  /** Every value of header `name` (lower case), in arrival order; empty when absent. */
  headerValues(name: string): readonly string[];
  /** Source of randomness for this request. @default Math.random */
  readonly random?: RandomSource;
}

export interface FlatHeadersRequestInit {
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  /** @default 'http' */
  readonly scheme?: string;
  /** @default '' */
  readonly sourceIp?: string;
  /** Headers flat, `[name0, value0, name1, value1, ...]`; names in any case. */
  readonly headers?: readonly string[];
  /** @default Math.random */
  readonly random?: RandomSource;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * A {@link RouteRequest} over a flat header list, the shape the HTTP engine's
 * request head carries. One object per request; lookups scan the list (short
 * for real requests) and allocate only when a header repeats.
 */
export class FlatHeadersRequest implements RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly scheme: string;
  readonly sourceIp: string;
  readonly headers: readonly string[];
  readonly random: RandomSource;

  constructor(init: FlatHeadersRequestInit) {
    this.method = init.method;
    this.path = init.path;
    this.authority = init.authority;
    this.scheme = init.scheme ?? 'http';
    this.sourceIp = init.sourceIp ?? '';
    this.headers = init.headers ?? NONE;
    this.random = init.random ?? Math.random;
  }

  header(name: string): string | undefined {
    const h = this.headers;
    let found: string | undefined;
    for (let i = 0; i < h.length; i += 2) {
      if (sameName(h[i] as string, name)) found = found === undefined ? h[i + 1] : `${found},${h[i + 1]}`;
    }
    return found;
  }

  headerValues(name: string): readonly string[] {
    const h = this.headers;
    let out: string[] | undefined;
    for (let i = 0; i < h.length; i += 2) {
      if (sameName(h[i] as string, name)) (out ??= []).push(h[i + 1] as string);
    }
    return out ?? NONE;
  }
}

function sameName(candidate: string, lowerName: string): boolean {
  return candidate.length === lowerName.length && (candidate === lowerName || candidate.toLowerCase() === lowerName);
}

/** The path without its query string (`/a?b` → `/a`); no allocation when there is no query. */
export function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/**
 * The first value of query parameter `name` in `path` (undefined when absent;
 * `''` for `?name` or `?name=`). Values are percent-decoded (`+` stays `+`, as in
 * Envoy); a value that does not decode is compared as sent.
 */
export function queryParameter(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  let start = q + 1;
  const end = path.length;
  while (start <= end) {
    let amp = path.indexOf('&', start);
    if (amp < 0) amp = end;
    const eq = path.indexOf('=', start);
    const keyEnd = eq >= 0 && eq < amp ? eq : amp;
    if (keyEnd - start === name.length && path.startsWith(name, start)) {
      if (keyEnd === amp) return '';
      return decode(path.slice(keyEnd + 1, amp));
    }
    start = amp + 1;
  }
  return undefined;
}

function decode(value: string): string {
  if (value.indexOf('%') < 0) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The value of cookie `name` in a request's Cookie header(s), or undefined. */
export function cookieValue(request: RouteRequest, name: string): string | undefined {
  const values = request.headerValues('cookie');
  for (const header of values) {
    let start = 0;
    while (start < header.length) {
      let semi = header.indexOf(';', start);
      if (semi < 0) semi = header.length;
      while (header.charCodeAt(start) === 32) start++;
      const eq = header.indexOf('=', start);
      if (eq >= 0 && eq < semi && eq - start === name.length && header.startsWith(name, start)) {
        let value = header.slice(eq + 1, semi).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        return value;
      }
      start = semi + 1;
    }
  }
  return undefined;
}
