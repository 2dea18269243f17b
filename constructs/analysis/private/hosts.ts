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
