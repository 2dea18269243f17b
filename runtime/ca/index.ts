/** The mesh CA (control-plane side) and workload certificate handling (proxy side). */
export * from './identity';
export * from './duration';
export * from './ca-store';
export * from './mesh-ca';
export * from './bootstrap-token';
export * from './workload-key';
export * from './rotation';
export * from './sds';
export type { KeyAlgorithm } from './private/crypto';
