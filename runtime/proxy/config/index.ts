/**
 * The proxy's applied configuration: one immutable snapshot per applied xDS
 * response, a store that announces replacements, the queries the data plane
 * needs, and Envoy's `/config_dump` rendering.
 */
export * from './applied-resource';
export * from './proxy-config-snapshot';
export * from './proxy-config-store';
export * from './references';
export * from './apply-response';
export * from './update-failure';
export * from './config-dump';
