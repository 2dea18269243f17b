/** The proxy's workload identity: CSR to the mesh CA, rotation, local SDS secrets. */
export * from './csr-client';
export * from './workload-certificates';
