/**
 * Virtual host selection by `:authority` / Host, as Envoy does it: exact
 * domains first, then suffix wildcards (`*.foo.com`, longest suffix first), then
 * prefix wildcards (`foo.*`, longest prefix first), then `*`. Case-insensitive.
 * A wildcard never matches an empty part (`*.foo.com` does not match `.foo.com`).
 *
 * Ports: a Host with a port matches a domain spelled with the same port; when no
 * domain of a tier matches the host with its port, the host without the port is
 * tried in that tier (Istio lists both forms, `reviews` and `reviews:9080`).
 * With `ignorePortInHostMatching`, the port is always dropped first.
 */
import type { DomainPattern } from '../../xds/resources';

interface Wildcard<T> {
  readonly value: string;
  readonly target: T;
}

/** Answers above this many distinct authorities are no longer cached (hosts are client-controlled). */
const CACHE_LIMIT = 4096;

export class VirtualHostIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffixes: Wildcard<T>[] = [];
  private readonly prefixes: Wildcard<T>[] = [];
  private any: T | undefined;
  private readonly cache = new Map<string, T | null>();

  /** `entries` in configuration order; the first virtual host claiming a domain keeps it. */
  constructor(entries: readonly { readonly patterns: readonly DomainPattern[]; readonly target: T }[], private readonly ignorePort = false) {
    for (const { patterns, target } of entries) {
      for (const p of patterns) {
        switch (p.kind) {
          case 'exact':
            if (!this.exact.has(p.value)) this.exact.set(p.value, target);
            break;
          case 'suffix':
            this.suffixes.push({ value: p.value, target });
            break;
          case 'prefix':
            this.prefixes.push({ value: p.value, target });
            break;
          case 'any':
            this.any ??= target;
            break;
        }
      }
    }
    // Stable sorts: equal lengths keep configuration order.
    this.suffixes.sort((a, b) => b.value.length - a.value.length);
    this.prefixes.sort((a, b) => b.value.length - a.value.length);
  }

  /** The virtual host for `authority` (`host[:port]`, any case), or undefined. */
  find(authority: string): T | undefined {
    const cached = this.cache.get(authority);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.lookup(authority);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(authority, found ?? null);
    return found;
  }

  private lookup(authority: string): T | undefined {
    let host = authority.toLowerCase();
    let bare = stripPort(host);
    if (this.ignorePort) host = bare;
    if (bare === host) bare = '';
    return this.exact.get(host) ?? (bare ? this.exact.get(bare) : undefined)
      ?? matchSuffix(this.suffixes, host) ?? (bare ? matchSuffix(this.suffixes, bare) : undefined)
      ?? matchPrefix(this.prefixes, host) ?? (bare ? matchPrefix(this.prefixes, bare) : undefined)
      ?? this.any;
  }
}

function matchSuffix<T>(list: readonly Wildcard<T>[], host: string): T | undefined {
  for (const w of list) if (host.length > w.value.length && host.endsWith(w.value)) return w.target;
  return undefined;
}

function matchPrefix<T>(list: readonly Wildcard<T>[], host: string): T | undefined {
  for (const w of list) if (host.length > w.value.length && host.startsWith(w.value)) return w.target;
  return undefined;
}

/** `host:port` → `host`; `[v6]:port` → `[v6]`; a bare IPv6 address or a host without port is returned as is. */
export function stripPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return authority;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    return close >= 0 && close < colon ? authority.slice(0, close + 1) : authority;
  }
  if (authority.indexOf(':') !== colon) return authority;
  for (let i = colon + 1; i < authority.length; i++) {
    const c = authority.charCodeAt(i);
    if (c < 48 || c > 57) return authority;
  }
  return authority.slice(0, colon);
}
