/**
 * The cluster and endpoint stages of the proxy: cluster state from CDS/EDS,
 * host health and outlier ejection, load balancers, circuit breakers, stats
 * and the `/clusters` admin text.
 */
export * from './clock';
export * from './random';
export * from './hash';
export * from './host';
export * from './cluster-stats';
export * from './circuit-breaker';
export * from './outlier-detector';
export * from './priority-level';
export * from './cluster-state';
export * from './request-hash';
export * from './admin-clusters';
export * from './lb/load-balancer';
export * from './lb/round-robin';
export * from './lb/least-request';
export * from './lb/random';
export * from './lb/ring-hash';
export * from './lb/maglev';
export * from './lb/create';
