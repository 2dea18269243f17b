/**
 * Istio's well-known ports, used unchanged by meshform so that Istio's debugging habits
 * (`proxy-config`, `proxy-status`, config dumps, scrape configs) carry over.
 */
export const WellKnownPorts = {
  /** Sidecar: outbound traffic captured from the application is redirected here. */
  OUTBOUND_CAPTURE: 15001,
  /** Sidecar: inbound traffic to the application is redirected here. */
  INBOUND_CAPTURE: 15006,
  /** Proxy admin interface (localhost only). */
  PROXY_ADMIN: 15000,
  /** Control plane: plaintext xDS (ADS over gRPC). */
  XDS: 15010,
  /** Control plane: xDS over TLS and the CA (`https-dns` on istiod's Service). */
  XDS_TLS: 15012,
  /** Control plane: monitoring, `/metrics` and `/ready`. */
  MONITORING: 15014,
  /** Control plane: admission webhook. */
  WEBHOOK: 15017,
  /** Proxy: merged application and proxy metrics. */
  MERGED_METRICS: 15020,
  /** Proxy: health (`/healthz/ready`), the `status-port`. */
  HEALTH: 15021,
  /** Proxy: Envoy-format Prometheus metrics (`/stats/prometheus`). */
  PROXY_PROMETHEUS: 15090,
} as const;

/** The uid (and gid) the proxy runs as; traffic capture exempts it from redirection. */
export const PROXY_UID = 1337;

/** Kubernetes cluster DNS domain used in proxy node ids and service FQDNs. */
export const CLUSTER_DOMAIN = 'cluster.local';
