/**
 * xDS resources as plain typed domain objects. Each served type has a decoder
 * that validates the proto3-JSON form `unpackResource` returns and converts it
 * (camelCase, durations in milliseconds, compiled regexes, percentages as
 * fractions, enums as string unions): the same checks run in the control plane
 * before publishing (`validateSnapshotResources`) and in the proxy before ACKing.
 */
export { decodeResource } from './decode-resource';
export type { DomainResource, DomainResourceByTypeUrl } from './decode-resource';
export { Result, ok, fail } from './result';
export { validateResources, validateSnapshotResources } from './validate';
export * from './address';
export * from './string-matcher';
export * from './data-source';
export * from './header-operations';
export * from './fault';
export * from './cors';
export * from './transport-socket';
export * from './listener';
export * from './http-connection-manager';
export * from './tcp-proxy';
export * from './route-configuration';
export * from './cluster';
export * from './outlier-detection';
export * from './upstream-http-options';
export * from './cluster-load-assignment';
export * from './secret';
export * from './rbac';
export * from './jwt-authn';
