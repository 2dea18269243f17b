/**
 * The WebCrypto provider for @peculiar/x509, and conversions between PEM keys
 * (what files and Node's TLS use) and WebCrypto keys (what x509 signs with).
 */
import 'reflect-metadata';
import * as nodeCrypto from 'crypto';
import * as x509 from '@peculiar/x509';

/** Node's WebCrypto; @peculiar/x509 signs and verifies with it. */
export const webcrypto = nodeCrypto.webcrypto;
x509.cryptoProvider.set(webcrypto);

export type CryptoKey = nodeCrypto.webcrypto.CryptoKey;
export type CryptoKeyPair = nodeCrypto.webcrypto.CryptoKeyPair;
type EcKeyGenParams = nodeCrypto.webcrypto.EcKeyGenParams;
type RsaHashedKeyGenParams = nodeCrypto.webcrypto.RsaHashedKeyGenParams;
type Algorithm = nodeCrypto.webcrypto.Algorithm;
type EcdsaParams = nodeCrypto.webcrypto.EcdsaParams;

export { x509 };

/** Key algorithms the CA and workloads generate. */
export type KeyAlgorithm = 'ECDSA_P256' | 'RSA_2048';

/** WebCrypto parameters generating a key pair of `alg`. */
export function generationParams(alg: KeyAlgorithm): EcKeyGenParams | RsaHashedKeyGenParams {
  return alg === 'ECDSA_P256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

/** The signature algorithm used with a key of `alg` (SHA-256 throughout). */
export function signingParams(key: CryptoKey): Algorithm | EcdsaParams {
  return key.algorithm.name === 'ECDSA' ? ({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams) : { name: key.algorithm.name };
}

/** Generates an extractable key pair. */
export async function generateKeyPair(alg: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(generationParams(alg), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Imports a private key PEM (PKCS#8, SEC1 `EC PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`)
 * as a WebCrypto signing key. Accepts EC P-256/P-384 and RSA of 2048 bits or more.
 */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  let keyObject: nodeCrypto.KeyObject;
  try {
    keyObject = nodeCrypto.createPrivateKey(pem);
  } catch (err) {
    throw new Error(`private key: not a readable PEM private key (${(err as Error).message})`);
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : undefined;
    if (!curve) throw new Error(`private key: expected an EC key on P-256 or P-384 (got curve ${details.namedCurve ?? 'unknown'})`);
    return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, true, ['sign']);
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw new Error(`private key: expected an RSA key of at least 2048 bits (got ${details.modulusLength ?? 'unknown'})`);
    return webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
  }
  throw new Error(`private key: expected an EC or RSA key (got ${keyObject.asymmetricKeyType ?? 'unknown'})`);
}

/** DER SubjectPublicKeyInfo of the public half of a private key PEM (to check that a key matches a certificate). */
export function publicSpkiOfPrivatePem(pem: string): Buffer {
  return nodeCrypto.createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

/** Random positive serial number, 16 bytes in hex. */
export function randomSerial(): string {
  const bytes = nodeCrypto.randomBytes(16);
  bytes[0] &= 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}
