/** The proxy's admin endpoints (Envoy's port 15000). */
export * from './admin-server';
export * from './admin-source';
export * from './local-admin-source';
export * from './certs';
