/**
 * The proxy's ADS client: subscribes, decodes, warms, applies to a
 * `ProxyConfigStore`, ACKs and NACKs, and reconnects with backoff.
 */
export * from './ads-client';
export * from './backoff';
export * from './client-events';
export * from './decode-response';
export * from './xds-types';
export * from './delta-responses';
export * from './vhds-routes';
