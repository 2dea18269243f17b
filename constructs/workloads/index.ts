export * from './mesh-service';
export * from './port-protocol';
export * from './sidecar-injection';
