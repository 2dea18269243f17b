/** Synth-time analysis: the checks `istioctl analyze` runs after deploy, run before. */
export * from './analyze';
export * from './context';
export * from './finding';
export * from './manifest-input';
export * from './manifest-object';
export * from './mesh-analysis';
export * from './rule';
export * from './rules';
export * from './workload';
