/**
 * The proxy's data plane: applied xDS configuration wired to live listeners,
 * route tables, clusters and pools, with Envoy's router semantics (retries,
 * timeouts, faults, mirrors, header operations) between the HTTP engine and the
 * endpoint pools.
 */
export * from './data-plane';
export * from './bound-listener';
export * from './upstream-cluster';
export * from './http-router';
export * from './dispatch-pool';
export * from './forward-plan';
export * from './forward-request';
export * from './mirror-request';
export * from './tcp-proxy-handler';
export * from './request-head-text';
export * from './proxy-runtime';
export * from './sni-listener';
