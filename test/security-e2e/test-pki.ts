/** A throwaway PKI for gateway TLS tests: a CA, and leaf certificates with DNS SANs signed by it. */
import { x509, generateKeyPair, privateKeyToPem, randomSerial, signingParams } from '../../runtime/ca/private/crypto';
import type { CryptoKey } from '../../runtime/ca/private/crypto';

export interface TestCa {
  readonly certPem: string;
  /** A leaf for `dnsNames` (server and client auth). */
  issue(commonName: string, dnsNames: readonly string[]): Promise<{ certPem: string; keyPem: string }>;
}

const DAY = 86_400_000;

export async function createTestCa(name: string): Promise<TestCa> {
  const keys = await generateKeyPair('ECDSA_P256');
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(), name: `CN=${name}`, notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * DAY), keys,
    signingAlgorithm: signingParams(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const caKey: CryptoKey = keys.privateKey;
  return {
    certPem: caCert.toString('pem'),
    async issue(commonName, dnsNames) {
      const leafKeys = await generateKeyPair('ECDSA_P256');
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(), subject: `CN=${commonName}`, issuer: caCert.subject,
        notBefore: new Date(now - 60_000), notAfter: new Date(now + 7 * DAY),
        publicKey: leafKeys.publicKey, signingKey: caKey, signingAlgorithm: signingParams(caKey),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(leafKeys.privateKey) };
    },
  };
}

/** A Kubernetes Secret of type kubernetes.io/tls, as YAML. */
export function tlsSecretYaml(namespace: string, name: string, data: { cert: string; key: string; ca?: string }): string {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return `---
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: { name: ${name}, namespace: ${namespace} }
data:
  tls.crt: ${b64(data.cert)}
  tls.key: ${b64(data.key)}
${data.ca !== undefined ? `  ca.crt: ${b64(data.ca)}\n` : ''}`;
}
