/** Configuration of the control plane: sources, the store and its snapshots, the service registry. */
export * from './config-object';
export * from './config-problem';
export * from './config-source';
export * from './config-snapshot';
export * from './config-store';
export * from './manifest-reader';
export * from './file-source';
export * from './service-registry';
export * from './host-match';
