/** The API layer: one TypeBox schema per Istio kind — the source of the TS types, the CRDs and validation. */
export * from './common';
export * from './virtual-service';
export * from './destination-rule';
export * from './gateway';
export * from './service-entry';
export * from './workload-entry';
export * from './sidecar';
export * from './peer-authentication';
export * from './authorization-policy';
export * from './request-authentication';
export * from './kinds';
export * from './crd';
export * from './validate';
