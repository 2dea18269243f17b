/**
 * What Istio's metrics say about a request's transport security:
 * `connection_security_policy`, `source_principal`, `destination_principal`,
 * and, on the destination side without peer metadata exchange, the source
 * workload and namespace read from the peer's SPIFFE ID (the service account
 * stands in for the workload name).
 */
import type { TransportSocket } from '../../xds/resources';

/** How an outbound cluster's connections are secured. */
export interface OutboundSecurity {
  /** Mutual TLS with this proxy's workload certificate (SDS `default`). */
  readonly mutualTls: boolean;
  /** The destination's SPIFFE ID when the cluster expects exactly one. */
  readonly peerPrincipal?: string;
}

const PLAINTEXT: OutboundSecurity = { mutualTls: false };

/** Reads a cluster's transport socket: ISTIO_MUTUAL / auto mTLS present the workload certificate. */
export function outboundSecurity(ts: TransportSocket | undefined): OutboundSecurity {
  if (ts === undefined || ts.kind !== 'upstreamTls' || !ts.certificateSecrets.includes('default')) return PLAINTEXT;
  const uris = ts.matchSubjectAltNames.filter((m) => m.type === 'URI');
  const only = uris.length === 1 ? uris[0]?.matcher : undefined;
  return { mutualTls: true, ...(only !== undefined && only.kind === 'exact' && !only.ignoreCase ? { peerPrincipal: only.value } : {}) };
}

/** `spiffe://<td>/ns/<ns>/sa/<sa>` → namespace and service account, or undefined. */
export function workloadOfPrincipal(principal: string | undefined): { namespace: string; serviceAccount: string } | undefined {
  if (principal === undefined) return undefined;
  const m = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  return m ? { namespace: m[1] as string, serviceAccount: m[2] as string } : undefined;
}
