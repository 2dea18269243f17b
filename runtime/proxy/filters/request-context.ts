/**
 * What the HTTP security filters read of one request: the route stage's view
 * (method, path, authority, headers, peer address) plus the connection facts
 * RBAC matches on (destination address and port, the peer's mTLS identity) and
 * the dynamic metadata earlier filters leave for later ones (jwt_authn's
 * payload, `istio_authn`'s request principal and claims).
 */
import type { RouteRequest } from '../routing';

/** Dynamic metadata: by filter namespace, a JSON object. */
export type DynamicMetadata = Record<string, Readonly<Record<string, unknown>>>;

export interface FilterRequest {
  /** Method, path, authority and headers (header matchers read `:method`, `:authority`, `:path` from it). */
  readonly request: RouteRequest;
  /** The downstream connection's peer address (`direct_remote_ip`). */
  readonly directRemoteIp: string;
  /** The original client address (`remote_ip`); the peer address unless trusted forwarding headers say otherwise. */
  readonly remoteIp: string;
  /** The listener's address and port the request arrived on (`destination_ip`, `destination_port`). */
  readonly destinationIp: string;
  readonly destinationPort: number;
  /** The peer certificate's URI SAN (`spiffe://...`) when mTLS authenticated the peer; undefined on plaintext. */
  readonly peerPrincipal: string | undefined;
  /** TLS server name of the connection (`requested_server_name`). @default '' */
  readonly sni?: string;
  /** Written by the JWT stage, read by RBAC. */
  readonly metadata: DynamicMetadata;
}
