/** The control plane: `meshform control-plane` wires these together. */
export * from './control-plane';
export * from './change-impact';
export * from './debouncer';
export * from './debug-views';
export * from './logger';
export * from './metrics';
export * from './monitoring-server';
export * from './observed-status';
export * from './proxy-snapshots';
export * from './snapshot-validation';
export * from './ca-service';
export * from './ca-wiring';
export * from './heap-growth';
