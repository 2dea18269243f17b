const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** `*`, `example.com`, `*.example.com`. */
const HOST = new RegExp(`^(\\*|(\\*\\.)?${DNS_LABEL}(\\.${DNS_LABEL})*)$`);
/** `*`, `.` (the gateway's namespace) or a namespace name. */
const NAMESPACE = /^(\*|\.|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

/**
 * Whether `host` is a valid Gateway server host: `[<namespace>/]<host>` where the
 * namespace is `*`, `.` or a name, and the host is `*`, a DNS name, or a DNS name
 * with a leading `*.` wildcard.
 */
export function isGatewayHost(host: string): boolean {
  const slash = host.indexOf('/');
  const [namespace, name] = slash >= 0 ? [host.slice(0, slash), host.slice(slash + 1)] : [undefined, host];
  if (namespace !== undefined && !NAMESPACE.test(namespace)) return false;
  return name.length <= 253 && HOST.test(name);
}
