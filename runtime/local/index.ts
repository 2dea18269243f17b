/** `meshform up`'s local mesh: the whole mesh on one machine, from the synthesized manifests. */
export * from './address-allocation';
export * from './local-config';
export * from './local-mesh';
export * from './local-plan';
export * from './local-programs';
export * from './meshform-bin';
export * from './port-check';
export * from './process-supervisor';
export * from './readiness';
export * from './source-watcher';
export * from './status-display';
export * from './topology';
