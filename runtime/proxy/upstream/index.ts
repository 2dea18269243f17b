export * from './endpoint';
export * from './endpoint-pool';
export * from './pool-limits';
export * from './pool-stats';
export * from './upstream-connection';
export * from './upstream-user';
