export * from './manifest';
export * from './synth';
export * from './plan';
export * from './mesh-stack';
export * from './stack-config';
