/** Istio's cluster names: `outbound|PORT|SUBSET|FQDN`, `inbound|PORT||`, and the special clusters. */

export function outboundClusterName(port: number, subset: string | undefined, hostname: string): string {
  return `outbound|${port}|${subset ?? ''}|${hostname}`;
}

export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}

/** Forwards to the original destination (outboundTrafficPolicy ALLOW_ANY). */
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
/** Has no endpoints (outboundTrafficPolicy REGISTRY_ONLY). */
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
/** Inbound traffic to ports no service declares. */
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughClusterIpv4';

/** The parts of an outbound cluster name, or `undefined` for any other name. */
export function parseOutboundClusterName(name: string): { port: number; subset: string; hostname: string } | undefined {
  const parts = name.split('|');
  if (parts.length !== 4 || parts[0] !== 'outbound') return undefined;
  const port = Number(parts[1]);
  if (!Number.isInteger(port)) return undefined;
  return { port, subset: parts[2] as string, hostname: parts[3] as string };
}
