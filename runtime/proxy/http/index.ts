export * from './access-log';
export * from './http1-listener';
export * from './listener-options';
export * from './proxy-stats';
export * from './request-head';
export * from './request-id';
export * from './response-flags';
export * from './route-decision';
