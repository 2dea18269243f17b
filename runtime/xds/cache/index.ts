export * from './watch';
export * from './snapshot';
export * from './snapshot-cache';
export * from './consistency';
export { hashBytes, hashVersions } from './resource-version';
export { ResourceSet } from './resource-set';
export { HeldResources, inScope } from './held-resources';
export type { HeldBasis } from './held-resources';
export { deltaAnswer } from './delta-answer';
