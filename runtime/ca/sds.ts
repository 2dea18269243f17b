/**
 * The SDS secrets a workload gets, named as Istio names them: `default` (its
 * certificate chain and key) and `ROOTCA` (the roots it trusts). They are plain
 * `envoy.extensions.transport_sockets.tls.v3.Secret` objects in the proto
 * field-name form `packResource` encodes and `decodeSecret` reads; PEMs are
 * carried as `inline_bytes` (base64), as istio-agent sends them.
 */
import type { PlainMessage } from '../xds/protos';
import { TypeUrl } from '../xds/resource-types';

/** Istio's name of the workload certificate secret. */
export const SDS_WORKLOAD_CERT = 'default';
/** Istio's name of the trust bundle secret. */
export const SDS_ROOT_CA = 'ROOTCA';
/** Type URL of SDS secrets. */
export const SECRET_TYPE_URL = TypeUrl.Secret;

function inlineBytes(pem: string): PlainMessage {
  return { inline_bytes: Buffer.from(pem, 'utf8').toString('base64') };
}

/** `default`: `tls_certificate` with the chain (leaf first) and the private key. */
export function workloadCertificateSecret(certChainPem: string, privateKeyPem: string, name: string = SDS_WORKLOAD_CERT): PlainMessage {
  return { name, tls_certificate: { certificate_chain: inlineBytes(certChainPem), private_key: inlineBytes(privateKeyPem) } };
}

/** `ROOTCA`: `validation_context` with the trusted roots (one or more concatenated PEMs). */
export function rootCaSecret(rootCertsPem: string, name: string = SDS_ROOT_CA): PlainMessage {
  return { name, validation_context: { trusted_ca: inlineBytes(rootCertsPem) } };
}

/** Both secrets of a workload, `default` then `ROOTCA`. */
export function workloadSecrets(material: { readonly certChainPem: string; readonly privateKeyPem: string; readonly rootCertPem: string }): PlainMessage[] {
  return [workloadCertificateSecret(material.certChainPem, material.privateKeyPem), rootCaSecret(material.rootCertPem)];
}
