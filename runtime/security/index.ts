/** Data-plane security: pure policy engines over plain request attributes. */
export * from './policy-object';
export * from './request-attributes';
export * from './value-match';
export * from './cidr';
export * from './peer-authentication';
export * from './authorization';
export * from './jwks-source';
export * from './jwt';
