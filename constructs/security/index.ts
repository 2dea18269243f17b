/** Security intents (L2): mutual TLS, access control, end-user authentication. */
export * from './policy-scope';
export * from './mtls-policy';
export * from './rule-source';
export * from './operation';
export * from './condition';
export * from './access-rule';
export * from './access-policy';
export * from './jwt-authentication';
