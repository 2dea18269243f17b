export * from './access-logging';
export * from './mtls-mode';
export * from './outbound-traffic-policy';
export * from './ports';
