export * from './gateway-base';
export * from './gateway-server';
export * from './gateway-tls';
export * from './ingress-gateway';
export * from './egress-gateway';
