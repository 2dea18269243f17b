/**
 * Proxy side of certificate issuance: the workload's key is generated where
 * it is used and never leaves the proxy; only a CSR naming its SPIFFE ID goes
 * to the CA (as istio-agent does).
 */
import { x509, CryptoKeyPair, KeyAlgorithm, generateKeyPair, privateKeyToPem, signingParams } from './private/crypto';
import { WorkloadIdentity, spiffeId } from './identity';

/** A freshly generated workload key and the CSR to send to the CA. */
export interface WorkloadCsr {
  /** PKCS#10 PEM with an empty subject and one SAN URI: the SPIFFE ID. */
  readonly csrPem: string;
  /** The private key, PKCS#8 PEM (what Node's TLS and SDS `default` take). Keep it in memory. */
  readonly privateKeyPem: string;
  readonly spiffeId: string;
}

export interface WorkloadCsrOptions {
  /** @default 'ECDSA_P256' */
  readonly keyAlgorithm?: KeyAlgorithm;
}

/** Builds a CSR for `identity` signed by `keys`. */
export async function buildCsr(identity: WorkloadIdentity, keys: CryptoKeyPair): Promise<string> {
  const id = spiffeId(identity);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: signingParams(keys.privateKey),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id }], true)],
  });
  return `${csr.toString('pem').trim()}\n`;
}

/** Generates a key pair (P-256 by default) and a CSR for `identity`. */
export async function createWorkloadCsr(identity: WorkloadIdentity, options: WorkloadCsrOptions = {}): Promise<WorkloadCsr> {
  const keys = await generateKeyPair(options.keyAlgorithm ?? 'ECDSA_P256');
  return { csrPem: await buildCsr(identity, keys), privateKeyPem: await privateKeyToPem(keys.privateKey), spiffeId: spiffeId(identity) };
}
