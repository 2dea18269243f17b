export * from './watch';
export * from './snapshot';
export * from './snapshot-cache';
export * from './consistency';
export { hashBytes, hashVersions } from './resource-version';
export { ResourceSet } from './resource-set';
