/**
 * Host names as Istio reads them: short names are relative to a namespace,
 * wildcards (`*`, `*.example.com`) match by suffix.
 */

/** The cluster domain suffix. */
export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

/**
 * The fully qualified name of `host` written in `namespace`: `reviews` →
 * `reviews.default.svc.cluster.local`, `reviews.prod` → `reviews.prod.svc.cluster.local`,
 * `reviews.prod.svc` → `reviews.prod.svc.cluster.local`; names with more labels,
 * and wildcards, stay as they are.
 */
export function qualifyHost(host: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  if (host.startsWith('*')) return host;
  const labels = host.split('.');
  if (labels.length === 1) return `${host}.${namespace}.svc.${domainSuffix}`;
  if (labels.length === 2) return `${host}.svc.${domainSuffix}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${host}.${domainSuffix}`;
  return host;
}

/** Whether `pattern` (maybe a wildcard) matches the host name `host` (maybe a wildcard itself). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true;
  if (pattern.startsWith('*')) {
    const suffix = pattern.slice(1); // ".example.com"
    if (host.startsWith('*')) return host.slice(1).endsWith(suffix);
    return host.endsWith(suffix);
  }
  if (host.startsWith('*')) return pattern.endsWith(host.slice(1));
  return false;
}

/** Whether every label of `selector` is carried by `labels` (an empty selector selects everything). */
export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
