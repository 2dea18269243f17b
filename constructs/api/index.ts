/** The API layer: one TypeBox schema per Istio kind — the source of the TS types, the CRDs and validation. */
export * from './common';
export * from './virtual-service';
export * from './destination-rule';
