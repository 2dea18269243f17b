/**
 * The proxy's call to the CA: `IstioCertificateService/CreateCertificate` on
 * the control plane's xDS address, the bootstrap token as
 * `authorization: Bearer <token>`.
 */
import * as grpc from '@grpc/grpc-js';
import { IstioCertificateResponse, certificateServiceDefinition } from '../../ca/protos/certificate-service';

export interface CsrRequest {
  /** The CA, `host:port` (the xDS address). */
  readonly address: string;
  readonly token: string;
  readonly csrPem: string;
  /** Requested lifetime in seconds. @default 0 (the CA's default) */
  readonly validitySeconds?: number;
  /** @default 10000 */
  readonly deadlineMs?: number;
}

type CertificateClient = grpc.Client & {
  CreateCertificate(
    request: { csr: string; validity_duration: number },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void,
  ): grpc.ClientUnaryCall;
};

/** A failed CreateCertificate call, with its gRPC status. */
export class CsrCallError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
    this.name = 'CsrCallError';
  }

  /** The CA refused this request: trying again with the same credential will not help. */
  get refused(): boolean {
    return this.code === grpc.status.UNAUTHENTICATED || this.code === grpc.status.PERMISSION_DENIED || this.code === grpc.status.INVALID_ARGUMENT;
  }
}

/** Sends a CSR; resolves to the chain, leaf first and root last; rejects with a {@link CsrCallError}. */
export function requestCertificate(request: CsrRequest): Promise<string[]> {
  const Client = grpc.makeGenericClientConstructor(certificateServiceDefinition(), 'IstioCertificateService');
  const client = new Client(request.address, grpc.credentials.createInsecure()) as unknown as CertificateClient;
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${request.token}`);
  return new Promise<string[]>((resolve, reject) => {
    client.CreateCertificate(
      { csr: request.csrPem, validity_duration: request.validitySeconds ?? 0 },
      metadata,
      { deadline: Date.now() + (request.deadlineMs ?? 10_000) },
      (error, response) => {
        client.close();
        if (error) reject(new CsrCallError(error.code, `CreateCertificate at ${request.address}: ${grpc.status[error.code] ?? error.code}: ${error.details}`));
        else if (!response || response.cert_chain.length < 2) reject(new CsrCallError(grpc.status.INTERNAL, `CreateCertificate at ${request.address}: expected a chain with the root last (got ${response?.cert_chain.length ?? 0} certificate(s))`));
        else resolve([...response.cert_chain]);
      },
    );
  });
}
