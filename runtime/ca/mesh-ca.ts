/**
 * The mesh CA the control plane runs: it signs short-lived SPIFFE workload
 * certificates for proxies that proved who they are.
 *
 * Where its signing key comes from, in order:
 * 1. a user-provided CA (`userCa`: PEMs of Istio's plug-in CA layout —
 *    `ca-cert.pem`, `ca-key.pem`, optional `cert-chain.pem` and `root-cert.pem`;
 *    a file path in local mode, a Secret in cluster mode, read by the caller);
 * 2. the root stored in `dir` by an earlier run;
 * 3. a new self-signed root (ECDSA P-256 by default), stored in `dir` with a
 *    0600 key. Keys are made at run time and never enter a manifest.
 */
import { x509, CryptoKey, KeyAlgorithm, generateKeyPair, importPrivateKeyPem, privateKeyToPem, publicSpkiOfPrivatePem, randomSerial, signingParams } from './private/crypto';
import { DEFAULT_TRUST_DOMAIN, WorkloadIdentity, spiffeId, validateIdentity } from './identity';
import { Lifetime, lifetimeMs } from './duration';
import { CA_KEY_FILE, isKeyFileExposed, readStoredCa, writeStoredCa } from './ca-store';
import * as fs from 'fs';
import * as path from 'path';

/** What the CA logs: issued certificates (info), refused CSRs and risky setups (warn). */
export interface CaLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** A user-provided CA, in Istio's plug-in CA layout. */
export interface UserCaPems {
  /** The signing CA certificate (`ca-cert.pem`). */
  readonly certPem: string;
  /** Its private key (`ca-key.pem`): PKCS#8, SEC1 or PKCS#1 PEM; EC P-256/P-384 or RSA ≥ 2048. */
  readonly keyPem: string;
  /**
   * Certificates above the signing CA, towards the root (`cert-chain.pem`); a
   * copy of `certPem` at its head is ignored. @default - none (the signing CA is the root)
   */
  readonly chainPem?: string;
  /** The root workloads trust (`root-cert.pem`). @default - the last certificate of `chainPem`, else `certPem` */
  readonly rootCertPem?: string;
}

/** Paths of a user-provided CA (local mode). */
export interface UserCaFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** @default - none */
  readonly chainFile?: string;
  /** @default - derived as in {@link UserCaPems.rootCertPem} */
  readonly rootCertFile?: string;
}

export interface MeshCaProps {
  /** Trust domain of every identity the CA signs. @default 'cluster.local' */
  readonly trustDomain?: string;
  /** Directory the generated root is kept in (0700, key 0600). @default - none: the root lives in memory only */
  readonly dir?: string;
  /** A CA to sign with instead of a generated root. @default - load from `dir`, else generate */
  readonly userCa?: UserCaPems;
  /** Key type of a generated root. @default 'ECDSA_P256' */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Lifetime of a generated root. @default '87600h' (10 years, as istiod's self-signed root) */
  readonly rootTtl?: Lifetime;
  /** Lifetime of a workload certificate when the request names none. @default '24h' */
  readonly defaultTtl?: Lifetime;
  /** Longest workload certificate lifetime accepted. @default '2160h' (90 days, Istio's MAX_WORKLOAD_CERT_TTL) */
  readonly maxTtl?: Lifetime;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
  /** @default - silent */
  readonly logger?: CaLogger;
}

/** What the caller of {@link MeshCa.signCsr} proved, and how long the certificate should live. */
export interface SignRequest {
  /** The identity the requester authenticated as (bootstrap token, Kubernetes token, or mTLS). */
  readonly identity: WorkloadIdentity;
  /** @default the CA's `defaultTtl` */
  readonly ttl?: Lifetime;
}

/** A signed workload certificate. */
export interface IssuedCertificate {
  /** The leaf alone. */
  readonly certPem: string;
  /** The leaf followed by the intermediates up to (not including) the root: SDS `default`'s certificate_chain. */
  readonly certChainPem: string;
  /** The trust anchor: SDS `ROOTCA`'s trusted_ca. */
  readonly rootCertPem: string;
  readonly spiffeId: string;
  /** Hexadecimal. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Why a CSR was refused. */
export type CsrRefusal = 'malformed' | 'bad-signature' | 'no-spiffe-san' | 'identity-mismatch' | 'extra-sans' | 'trust-domain' | 'invalid-identity' | 'ttl' | 'key';

/** A refused CSR; `reason` lets the server choose its status code (`identity-mismatch` → PERMISSION_DENIED, others → INVALID_ARGUMENT). */
export class CsrRefusedError extends Error {
  constructor(readonly reason: CsrRefusal, message: string) {
    super(message);
    this.name = 'CsrRefusedError';
  }
}

/** Where the signing CA came from. */
export type CaSource = 'user' | 'loaded' | 'generated';

const SAN_OID = '2.5.29.17';
const BACKDATE_MS = 60_000;
const SILENT: CaLogger = { info: () => undefined, warn: () => undefined };

function splitPems(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function normalizePem(pem: string): string {
  return `${pem.trim()}\n`;
}

export class MeshCa {
  /** Reads a user-provided CA from files (local mode). */
  static readUserCaFiles(files: UserCaFiles): UserCaPems {
    const read = (file: string, field: string): string => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`user CA ${field}: cannot read ${file} (${(err as Error).message})`);
      }
    };
    return {
      certPem: read(files.certFile, 'certFile'),
      keyPem: read(files.keyFile, 'keyFile'),
      ...(files.chainFile ? { chainPem: read(files.chainFile, 'chainFile') } : {}),
      ...(files.rootCertFile ? { rootCertPem: read(files.rootCertFile, 'rootCertFile') } : {}),
    };
  }

  /** Loads or creates the signing CA (see the file comment for the order). */
  static async start(props: MeshCaProps = {}): Promise<MeshCa> {
    const logger = props.logger ?? SILENT;
    const trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    const now = props.now ?? (() => new Date());
    if (props.userCa) {
      const ca = await MeshCa.fromPems(props, props.userCa, 'user');
      logger.info(`ca: signing with the user-provided CA ${ca.caCertificate.subject} (expires ${ca.caCertificate.notAfter.toISOString()})`);
      return ca;
    }
    if (props.dir) {
      const stored = readStoredCa(props.dir);
      if (stored) {
        const keyFile = path.join(props.dir, CA_KEY_FILE);
        if (isKeyFileExposed(keyFile)) logger.warn(`ca: ${keyFile} is readable by group or others; it should be 0600`);
        const ca = await MeshCa.fromPems(props, stored, 'loaded');
        logger.info(`ca: loaded the mesh root from ${props.dir} (expires ${ca.caCertificate.notAfter.toISOString()})`);
        return ca;
      }
    }
    const keys = await generateKeyPair(props.keyAlgorithm ?? 'ECDSA_P256');
    const notBefore = new Date(now().getTime() - BACKDATE_MS);
    const notAfter = new Date(now().getTime() + lifetimeMs(props.rootTtl ?? '87600h', 'rootTtl'));
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: [{ O: [trustDomain] }],
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingParams(keys.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const certPem = normalizePem(cert.toString('pem'));
    if (props.dir) {
      writeStoredCa(props.dir, { certPem, keyPem: await privateKeyToPem(keys.privateKey) });
      logger.info(`ca: generated a new mesh root for ${trustDomain}, stored in ${props.dir}`);
    } else {
      logger.info(`ca: generated a new in-memory mesh root for ${trustDomain}`);
    }
    return new MeshCa(props, 'generated', cert, keys.privateKey, [], certPem);
  }

  private static async fromPems(props: MeshCaProps, pems: UserCaPems, source: CaSource): Promise<MeshCa> {
    const what = source === 'user' ? 'user CA' : `stored CA in ${props.dir}`;
    const certs = splitPems(pems.certPem);
    if (certs.length === 0) throw new Error(`${what}: certPem: expected a PEM certificate (got none)`);
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(certs[0]);
    } catch (err) {
      throw new Error(`${what}: certPem: not a readable X.509 certificate (${(err as Error).message})`);
    }
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    if (!bc || !bc.ca) throw new Error(`${what}: certPem: expected a CA certificate (basicConstraints CA:TRUE), got ${cert.subject} without it`);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) throw new Error(`${what}: certPem: key usage lacks keyCertSign`);
    const now = (props.now ?? (() => new Date()))();
    if (cert.notAfter.getTime() <= now.getTime()) throw new Error(`${what}: certPem: expired on ${cert.notAfter.toISOString()}`);
    const key = await importPrivateKeyPem(pems.keyPem).catch((err: Error) => {
      throw new Error(`${what}: keyPem: ${err.message}`);
    });
    const certSpki = Buffer.from(cert.publicKey.rawData);
    if (!certSpki.equals(publicSpkiOfPrivatePem(pems.keyPem))) throw new Error(`${what}: keyPem: the key does not match the certificate ${cert.subject}`);
    const chain = splitPems(pems.chainPem ?? '').filter((c) => !new x509.X509Certificate(c).equal(cert)).map((c) => new x509.X509Certificate(c));
    const rootCertPem = pems.rootCertPem !== undefined
      ? normalizePem(splitPems(pems.rootCertPem)[0] ?? '')
      : normalizePem(chain.length > 0 ? chain[chain.length - 1].toString('pem') : cert.toString('pem'));
    if (rootCertPem.trim() === '') throw new Error(`${what}: rootCertPem: expected a PEM certificate (got none)`);
    return new MeshCa(props, source, cert, key, chain, rootCertPem);
  }

  readonly trustDomain: string;
  /** Where the signing CA came from. */
  readonly source: CaSource;
  /** The trust anchor workloads get (`ROOTCA`). */
  readonly rootCertPem: string;
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly now: () => Date;
  private readonly logger: CaLogger;
  /** Intermediates between the signing CA and the root, root excluded, in PEM, leaf-side first. */
  private readonly intermediatesPem: string;

  private constructor(
    props: MeshCaProps,
    source: CaSource,
    /** The certificate that signs workload certificates. */
    readonly caCertificate: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
    chain: readonly x509.X509Certificate[],
    rootCertPem: string,
  ) {
    this.trustDomain = props.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    this.source = source;
    this.rootCertPem = rootCertPem;
    this.defaultTtlMs = lifetimeMs(props.defaultTtl ?? '24h', 'defaultTtl');
    this.maxTtlMs = lifetimeMs(props.maxTtl ?? '2160h', 'maxTtl');
    if (this.defaultTtlMs > this.maxTtlMs) throw new Error(`defaultTtl: expected at most maxTtl (${this.maxTtlMs} ms), got ${this.defaultTtlMs} ms`);
    this.now = props.now ?? (() => new Date());
    this.logger = props.logger ?? SILENT;
    const root = new x509.X509Certificate(rootCertPem);
    const signingIsRoot = caCertificate.equal(root);
    const middle = [signingIsRoot ? [] : [caCertificate], chain.filter((c) => !c.equal(root))].flat();
    this.intermediatesPem = middle.map((c) => normalizePem(c.toString('pem'))).join('');
  }

  /** The signing CA certificate in PEM. */
  get caCertPem(): string {
    return normalizePem(this.caCertificate.toString('pem'));
  }

  /**
   * Signs a workload CSR for the identity the caller proved. Refuses (logging
   * why) a CSR that is not valid PKCS#10, whose signature does not verify,
   * whose only SAN is not exactly `spiffe://<trust-domain>/ns/<ns>/sa/<sa>` of
   * that identity, or that carries any other SAN. The subject and any other
   * requested extension are ignored: the certificate is built by the CA alone.
   */
  async signCsr(csrPem: string, request: SignRequest): Promise<IssuedCertificate> {
    const refuse = (reason: CsrRefusal, message: string): never => {
      const who = `${request.identity.namespace}/${request.identity.serviceAccount}`;
      this.logger.warn(`ca: refused CSR from ${who} (${reason}): ${message}`);
      throw new CsrRefusedError(reason, message);
    };
    const valid = validateIdentity(request.identity);
    if (!valid.ok) refuse('invalid-identity', `identity: ${valid.errors.join('; ')}`);
    if (request.identity.trustDomain !== this.trustDomain) {
      refuse('trust-domain', `identity.trustDomain: expected '${this.trustDomain}' (got '${request.identity.trustDomain}')`);
    }
    const expected = spiffeId(request.identity);
    let ttlMs = this.defaultTtlMs;
    if (request.ttl !== undefined) {
      try {
        ttlMs = lifetimeMs(request.ttl);
      } catch (err) {
        refuse('ttl', (err as Error).message);
      }
    }
    if (ttlMs > this.maxTtlMs) refuse('ttl', `ttl: expected at most ${this.maxTtlMs} ms (got ${ttlMs} ms)`);

    let csr: x509.Pkcs10CertificateRequest | undefined;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (err) {
      refuse('malformed', `csr: not a PEM PKCS#10 certificate request (${(err as Error).message})`);
    }
    if (!csr) throw new Error('unreachable');
    const alg = csr.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
    const keyOk = (alg.name === 'ECDSA' && (alg.namedCurve === 'P-256' || alg.namedCurve === 'P-384'))
      || (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS');
    if (!keyOk) refuse('key', `csr public key: expected EC P-256/P-384 or RSA (got ${alg.name}${alg.namedCurve ? ` ${alg.namedCurve}` : ''})`);
    let signatureOk = false;
    try {
      signatureOk = await csr.verify();
    } catch {
      signatureOk = false;
    }
    if (!signatureOk) refuse('bad-signature', 'csr: the signature does not verify with the enclosed public key');

    const sanExtensions = csr.getExtensions(SAN_OID);
    if (sanExtensions.length === 0) refuse('no-spiffe-san', `csr: expected a subjectAltName URI '${expected}' (got no subjectAltName)`);
    if (sanExtensions.length > 1) refuse('extra-sans', `csr: expected one subjectAltName extension (got ${sanExtensions.length})`);
    const names = new x509.SubjectAlternativeNameExtension(sanExtensions[0].rawData).names.items.map((n) => ({ type: n.type, value: n.value }));
    const uris = names.filter((n) => n.type === 'url');
    if (uris.length === 0) refuse('no-spiffe-san', `csr: expected a subjectAltName URI '${expected}' (got ${names.map((n) => `${n.type}:${n.value}`).join(', ') || 'none'})`);
    if (uris.length === 1 && uris[0].value !== expected) {
      refuse('identity-mismatch', `csr: subjectAltName URI '${uris[0].value}' differs from the proven identity '${expected}'`);
    }
    if (names.length > 1) {
      refuse('extra-sans', `csr: expected only the subjectAltName URI '${expected}' (got ${names.map((n) => `${n.type}:${n.value}`).join(', ')})`);
    }

    const nowMs = this.now().getTime();
    const notBefore = new Date(nowMs - BACKDATE_MS);
    let notAfter = new Date(nowMs + ttlMs);
    if (notAfter.getTime() > this.caCertificate.notAfter.getTime()) {
      this.logger.warn(`ca: certificate for ${expected} cut to the CA's expiry ${this.caCertificate.notAfter.toISOString()}`);
      notAfter = this.caCertificate.notAfter;
    }
    const serialNumber = randomSerial();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: [],
      issuer: this.caCertificate.subjectName,
      notBefore,
      notAfter,
      publicKey: csr.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: signingParams(this.signingKey),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCertificate.publicKey),
        // The subject is empty, so the SAN is critical (RFC 5280 4.2.1.6), as in Istio's workload certificates.
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: expected }], true),
      ],
    });
    const certPem = normalizePem(leaf.toString('pem'));
    this.logger.info(`ca: issued ${expected} serial ${serialNumber} valid until ${notAfter.toISOString()}`);
    return {
      certPem,
      certChainPem: certPem + this.intermediatesPem,
      rootCertPem: this.rootCertPem,
      spiffeId: expected,
      serialNumber: leaf.serialNumber,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
    };
  }
}
