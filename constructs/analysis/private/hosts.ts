/**
 * Host names as Istio reads them in VirtualService and DestinationRule hosts:
 * short names are relative to the referring object's namespace.
 */

/**
 * The fully qualified form of `host` as seen from `namespace`:
 * - `reviews` → `reviews.<namespace>.svc.<domain>`;
 * - `reviews.prod` → `reviews.prod.svc.<domain>` when `prod` is a known namespace
 *   (otherwise it is an external name such as `example.com` and kept as is);
 * - `reviews.prod.svc` → `reviews.prod.svc.<domain>`;
 * - anything else (FQDNs, wildcards) is kept, lower-cased.
 */
export function resolveHost(
  host: string,
  namespace: string,
  knownNamespaces: ReadonlySet<string>,
  domain: string,
): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h.includes('*')) return h;
  const labels = h.split('.');
  if (labels.length === 1) return `${h}.${namespace}.svc.${domain}`;
  if (labels.length === 2 && knownNamespaces.has(labels[1])) return `${h}.svc.${domain}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${h}.${domain}`;
  return h;
}

/**
 * True when `pattern` (possibly a wildcard such as `*.example.com` or `*`) covers
 * `host`. Both are expected lower-cased and resolved.
 */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return pattern === host;
}

/** One indexed object and its resolved hosts (patterns). */
export interface HostIndexEntry<T> {
  readonly object: T;
  readonly hosts: readonly string[];
}

/**
 * Objects indexed by their resolved hosts, answering "which objects have a host
 * covering `fqdn`" (as {@link hostMatches}) in input order: exact hosts by a map
 * lookup, wildcard hosts by a scan of the wildcard ones only.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, number[]>();
  private readonly wildcards: Array<{ readonly pattern: string; readonly at: number }> = [];
  private readonly objects: readonly T[];

  public constructor(entries: ReadonlyArray<HostIndexEntry<T>>) {
    this.objects = entries.map((e) => e.object);
    entries.forEach((entry, at) => {
      for (const host of entry.hosts) {
        if (host === '*' || host.startsWith('*.')) {
          this.wildcards.push({ pattern: host, at });
          continue;
        }
        const list = this.exact.get(host);
        if (!list) this.exact.set(host, [at]);
        else if (list[list.length - 1] !== at) list.push(at);
      }
    });
  }

  /** The objects with a host covering `fqdn`, each once, in input order. */
  public lookup(fqdn: string): T[] {
    const exact = this.exact.get(fqdn) ?? [];
    if (this.wildcards.length === 0) return exact.map((at) => this.objects[at]);
    const hits = new Set(exact);
    for (const w of this.wildcards) if (hostMatches(w.pattern, fqdn)) hits.add(w.at);
    return [...hits].sort((a, b) => a - b).map((at) => this.objects[at]);
  }
}
