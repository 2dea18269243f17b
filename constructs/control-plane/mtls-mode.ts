/**
 * Mutual TLS mode of a workload's inbound traffic, as in Istio's `PeerAuthentication.MutualTLS.Mode`.
 */
export enum MtlsMode {
  /** Only mutual TLS connections are accepted. */
  STRICT = 'STRICT',
  /** Both plaintext and mutual TLS connections are accepted. */
  PERMISSIVE = 'PERMISSIVE',
  /** Mutual TLS is not used; connections are plaintext. */
  DISABLE = 'DISABLE',
}
