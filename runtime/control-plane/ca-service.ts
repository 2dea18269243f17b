/**
 * The CA's gRPC face: Istio's `IstioCertificateService/CreateCertificate`,
 * served on the xDS port. A caller proves who it is with a credential in the
 * call metadata (`authorization: Bearer <token>`); the CA signs only a CSR
 * whose SPIFFE ID is that identity. Refusals are logged (by the CA) and
 * answered with UNAUTHENTICATED (no or bad credential), PERMISSION_DENIED (a
 * CSR for another identity) or INVALID_ARGUMENT (anything else wrong with it).
 *
 * Authentication is a seam ({@link CsrAuthenticator}): local mode uses the
 * bootstrap tokens `meshform up` hands each proxy; cluster mode is to verify
 * a projected ServiceAccount token with a Kubernetes TokenReview (audience
 * `istio-ca`) and take `system:serviceaccount:<ns>:<sa>` from its answer — an
 * authenticator of the same shape, not written yet.
 */
import * as grpc from '@grpc/grpc-js';
import { BootstrapTokens, CsrRefusedError, MeshCa, WorkloadIdentity } from '../ca';
import { IstioCertificateRequest, IstioCertificateResponse, certificateServiceDefinition } from '../ca/protos/certificate-service';
import type { Result } from '../xds/resources/result';
import type { ControlPlaneLogger } from './logger';

/** Who the caller of CreateCertificate is, from the call metadata. */
export interface CsrAuthenticator {
  authenticate(metadata: grpc.Metadata): Promise<Result<WorkloadIdentity>>;
}

/** The bearer token of a call, if any. */
export function bearerToken(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return m ? m[1] : undefined;
}

/** Local mode: the bearer token is a bootstrap token naming the identity. */
export function bootstrapTokenAuthenticator(tokens: BootstrapTokens): CsrAuthenticator {
  return {
    authenticate: (metadata) => {
      const token = bearerToken(metadata);
      if (token === undefined) return Promise.resolve({ ok: false, errors: ["metadata 'authorization': expected 'Bearer <bootstrap token>'"] });
      return Promise.resolve(tokens.verify(token));
    },
  };
}

export interface CaServiceProps {
  readonly ca: MeshCa;
  readonly authenticator: CsrAuthenticator;
  readonly logger: ControlPlaneLogger;
}

/** The implementation of CreateCertificate, for `grpc.Server.addService`. */
export function caServiceImplementation(props: CaServiceProps): grpc.UntypedServiceImplementation {
  const createCertificate = (
    call: grpc.ServerUnaryCall<IstioCertificateRequest, IstioCertificateResponse>,
    callback: grpc.sendUnaryData<IstioCertificateResponse>,
  ): void => {
    const peer = call.getPeer();
    void (async () => {
      const who = await props.authenticator.authenticate(call.metadata);
      if (!who.ok) {
        props.logger.warn(`ca: refused CSR from ${peer}: not authenticated (${who.errors.join('; ')})`);
        callback({ code: grpc.status.UNAUTHENTICATED, details: `not authenticated: ${who.errors.join('; ')}` });
        return;
      }
      const seconds = Number(call.request.validity_duration ?? 0);
      try {
        const issued = await props.ca.signCsr(call.request.csr, { identity: who.value, ...(seconds > 0 ? { ttl: seconds * 1000 } : {}) });
        const chain = issued.certChainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [issued.certChainPem];
        callback(null, { cert_chain: [...chain, issued.rootCertPem] });
      } catch (e) {
        if (e instanceof CsrRefusedError) {
          const code = e.reason === 'identity-mismatch' ? grpc.status.PERMISSION_DENIED : grpc.status.INVALID_ARGUMENT;
          callback({ code, details: e.message });
          return;
        }
        props.logger.error(`ca: signing failed for ${peer}: ${(e as Error).message}`);
        callback({ code: grpc.status.INTERNAL, details: 'signing failed' });
      }
    })();
  };
  return { CreateCertificate: createCertificate as grpc.handleUnaryCall<unknown, unknown> };
}

/** The service definition and implementation, as `createXdsServer({ services })` takes them. */
export function caService(props: CaServiceProps): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  return { definition: certificateServiceDefinition(), implementation: caServiceImplementation(props) };
}
