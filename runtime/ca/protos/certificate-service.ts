/**
 * Istio's CA service, `istio.v1.auth.IstioCertificateService/CreateCertificate`
 * (the call istio-agent makes to istiod on 15012), defined here as a small
 * proto text so it loads the same from sources and from the compiled `lib/`.
 * Field numbers are Istio's; `metadata` (a Struct Istio uses for impersonation)
 * is left out.
 *
 * The certificate chain in the response is leaf first, root last.
 */
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

export const CERTIFICATE_SERVICE_PROTO = `
syntax = "proto3";
package istio.v1.auth;

message IstioCertificateRequest {
  // PEM-encoded certificate request.
  string csr = 1;
  // Requested certificate lifetime, in seconds (0: the CA's default).
  int64 validity_duration = 3;
}

message IstioCertificateResponse {
  // PEM-encoded certificate chain: the leaf first, the root last.
  repeated string cert_chain = 1;
}

service IstioCertificateService {
  rpc CreateCertificate(IstioCertificateRequest) returns (IstioCertificateResponse) {}
}
`;

/** Full method path of CreateCertificate. */
export const CREATE_CERTIFICATE_PATH = '/istio.v1.auth.IstioCertificateService/CreateCertificate';

export interface IstioCertificateRequest {
  readonly csr: string;
  /** Seconds; 0 or absent: the CA's default. */
  readonly validity_duration?: number;
}

export interface IstioCertificateResponse {
  readonly cert_chain: readonly string[];
}

let root: protobuf.Root | undefined;
function messages(): { request: protobuf.Type; response: protobuf.Type } {
  root ??= protobuf.parse(CERTIFICATE_SERVICE_PROTO, { keepCase: true }).root;
  return { request: root.lookupType('istio.v1.auth.IstioCertificateRequest'), response: root.lookupType('istio.v1.auth.IstioCertificateResponse') };
}

function codec<T extends object>(type: () => protobuf.Type): { serialize: (v: T) => Buffer; deserialize: (b: Buffer) => T } {
  return {
    serialize: (v) => Buffer.from(type().encode(type().fromObject(v as Record<string, unknown>)).finish()),
    deserialize: (b) => type().toObject(type().decode(b), { longs: Number, defaults: true, arrays: true }) as T,
  };
}

/** The gRPC service definition (server and client side). */
export function certificateServiceDefinition(): grpc.ServiceDefinition {
  const req = codec<IstioCertificateRequest>(() => messages().request);
  const res = codec<IstioCertificateResponse>(() => messages().response);
  return {
    CreateCertificate: {
      path: CREATE_CERTIFICATE_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: req.serialize,
      requestDeserialize: req.deserialize,
      responseSerialize: res.serialize,
      responseDeserialize: res.deserialize,
    },
  };
}
