/**
 * What a proxy does with traffic to a host it does not know, as in Istio's
 * `MeshConfig.OutboundTrafficPolicy.Mode`.
 */
export enum OutboundTrafficPolicyMode {
  /** Unknown hosts are passed through (the proxy forwards to the original destination). */
  ALLOW_ANY = 'ALLOW_ANY',
  /** Only hosts in the service registry (Services and ServiceEntries) are reachable. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
}
