/** One upstream address, as the endpoint stage (EDS) names it. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** `host:port` (IPv6 hosts bracketed), as access logs print `%UPSTREAM_HOST%`. */
export function endpointAddress(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
