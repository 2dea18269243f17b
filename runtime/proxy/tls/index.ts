/** TLS on the proxy's connections: termination on inbound listeners, origination per cluster. */
export * from './downstream-tls';
export * from './upstream-tls';
export * from './peer-identity';
export * from './sni';
export * from './tls-handoff';
