/** The proxy's telemetry: Istio's standard metrics, Envoy-style stats and the access log. */
export * from './access-log-writer';
export * from './connection-security';
export * from './envoy-stats';
export * from './istio-metrics';
export * from './response-flags-text';
