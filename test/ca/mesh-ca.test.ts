import 'reflect-metadata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'crypto';
import { CsrRefusedError, MeshCa, WorkloadIdentity, createWorkloadCsr, buildCsr, spiffeId } from '../../runtime/ca';

x509.cryptoProvider.set(webcrypto);
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const web: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'web' };
const api: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'api' };

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-ca-'));
}

function captureLog(): { lines: string[]; logger: { info(m: string): void; warn(m: string): void } } {
  const lines: string[] = [];
  return { lines, logger: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) } };
}

async function refusal(p: Promise<unknown>): Promise<CsrRefusedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CsrRefusedError) return err;
    throw err;
  }
  throw new Error('expected the CSR to be refused');
}

describe('MeshCa: generated root', () => {
  let dir: string;
  let ca: MeshCa;
  beforeAll(async () => {
    dir = tmpDir();
    ca = await MeshCa.start({ dir });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creates a self-signed ECDSA P-256 CA root and stores it with a 0600 key', async () => {
    const root = new x509.X509Certificate(ca.rootCertPem);
    expect(ca.source).toBe('generated');
    expect(await root.isSelfSigned()).toBe(true);
    expect(root.subject).toBe('O=cluster.local');
    expect(root.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect(root.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(fs.statSync(path.join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'ca-cert.pem'), 'utf8')).toBe(ca.rootCertPem);
  });

  test('a second start loads the stored root instead of generating one', async () => {
    const again = await MeshCa.start({ dir });
    expect(again.source).toBe('loaded');
    expect(again.rootCertPem).toBe(ca.rootCertPem);
  });

  test('signs a CSR: leaf chains to the root, carries the SPIFFE SAN, usages and a lifetime of ttl + 1 min backdating', async () => {
    const { csrPem } = await createWorkloadCsr(web);
    const issued = await ca.signCsr(csrPem, { identity: web, ttl: '12h' });
    const leaf = new x509.X509Certificate(issued.certPem);
    const root = new x509.X509Certificate(ca.rootCertPem);

    expect(await leaf.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
    const chain = await new x509.X509ChainBuilder({ certificates: [root] }).build(leaf);
    expect(chain.map((c) => c.subject)).toEqual(['', 'O=cluster.local']);
    expect(leaf.issuer).toBe(root.subject);

    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => [n.type, n.value])).toEqual([['url', 'spiffe://cluster.local/ns/default/sa/web']]);
    expect(issued.spiffeId).toBe(spiffeId(web));
    const ku = leaf.getExtension(x509.KeyUsagesExtension);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);

    const life = leaf.notAfter.getTime() - leaf.notBefore.getTime();
    expect(Math.abs(life - (12 * 3600_000 + 60_000))).toBeLessThanOrEqual(2000);
    expect(Math.abs(Date.now() - 60_000 - leaf.notBefore.getTime())).toBeLessThan(5000);
    expect(issued.certChainPem).toBe(issued.certPem);
  });

  test('the default lifetime is 24 h', async () => {
    const { csrPem } = await createWorkloadCsr(web);
    const issued = await ca.signCsr(csrPem, { identity: web });
    const life = issued.notAfter.getTime() - issued.notBefore.getTime();
    expect(Math.abs(life - (24 * 3600_000 + 60_000))).toBeLessThanOrEqual(2000);
  });

  test('refuses and logs a CSR for another identity than the one proven', async () => {
    const log = captureLog();
    const logged = await MeshCa.start({ dir, logger: log.logger });
    const { csrPem } = await createWorkloadCsr(api);
    const err = await refusal(logged.signCsr(csrPem, { identity: web }));
    expect(err.reason).toBe('identity-mismatch');
    expect(err.message).toContain("'spiffe://cluster.local/ns/shop/sa/api' differs from the proven identity 'spiffe://cluster.local/ns/default/sa/web'");
    expect(log.lines.some((l) => l.startsWith('warn ca: refused CSR from default/web (identity-mismatch)'))).toBe(true);
  });

  test('refuses a CSR whose signature does not verify', async () => {
    const { csrPem } = await createWorkloadCsr(web);
    const der = Buffer.from(x509.PemConverter.decodeFirst(csrPem));
    der[der.length - 3] ^= 0xff;
    const tampered = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    const err = await refusal(ca.signCsr(tampered, { identity: web }));
    expect(['bad-signature', 'malformed']).toContain(err.reason);
  });

  test('refuses a CSR signed by a different key than the one it carries', async () => {
    const keysA = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const keysB = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      keys: { publicKey: keysA.publicKey, privateKey: keysB.privateKey },
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId(web) }])],
    });
    const err = await refusal(ca.signCsr(csr.toString('pem'), { identity: web }));
    expect(err.reason).toBe('bad-signature');
  });

  test('refuses a CSR with extra SANs, without a SPIFFE SAN, or not a CSR at all', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const make = async (names: x509.JsonGeneralNames): Promise<string> =>
      (await x509.Pkcs10CertificateRequestGenerator.create({
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [new x509.SubjectAlternativeNameExtension(names)],
      })).toString('pem');
    const extra = await make([{ type: 'url', value: spiffeId(web) }, { type: 'dns', value: 'web.default.svc' }]);
    expect((await refusal(ca.signCsr(extra, { identity: web }))).reason).toBe('extra-sans');
    const twoUris = await make([{ type: 'url', value: spiffeId(web) }, { type: 'url', value: spiffeId(api) }]);
    expect((await refusal(ca.signCsr(twoUris, { identity: web }))).reason).toBe('extra-sans');
    const dnsOnly = await make([{ type: 'dns', value: 'web.default.svc' }]);
    expect((await refusal(ca.signCsr(dnsOnly, { identity: web }))).reason).toBe('no-spiffe-san');
    expect((await refusal(ca.signCsr('not a csr', { identity: web }))).reason).toBe('malformed');
  });

  test('refuses another trust domain and a ttl above the maximum', async () => {
    const foreign = { ...web, trustDomain: 'other.local' };
    const { csrPem } = await createWorkloadCsr(foreign);
    expect((await refusal(ca.signCsr(csrPem, { identity: foreign }))).reason).toBe('trust-domain');
    const own = await createWorkloadCsr(web);
    expect((await refusal(ca.signCsr(own.csrPem, { identity: web, ttl: '2161h' }))).reason).toBe('ttl');
  });

  test('signs RSA workload keys too', async () => {
    const keys = (await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
    )) as CryptoKeyPair;
    const csrPem = await buildCsr(web, keys);
    const issued = await ca.signCsr(csrPem, { identity: web });
    expect(new x509.X509Certificate(issued.certPem).publicKey.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
  });
});

describe('MeshCa: user-provided CA', () => {
  async function makeCa(name: string, signer?: { cert: x509.X509Certificate; key: CryptoKey }): Promise<{ cert: x509.X509Certificate; keyPem: string; key: CryptoKey }> {
    const keys = (await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
    )) as CryptoKeyPair;
    const common = {
      serialNumber: '0a',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 365 * 86400_000),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    };
    const cert = signer
      ? await x509.X509CertificateGenerator.create({ ...common, subject: name, issuer: signer.cert.subject, publicKey: keys.publicKey, signingKey: signer.key })
      : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name, keys });
    const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { cert, key: keys.privateKey, keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
  }

  test('loads a user root (RSA) from PEM files and signs with it', async () => {
    const root = await makeCa('CN=Corp Root');
    const dir = tmpDir();
    try {
      fs.writeFileSync(path.join(dir, 'ca-cert.pem'), root.cert.toString('pem'));
      fs.writeFileSync(path.join(dir, 'ca-key.pem'), root.keyPem, { mode: 0o600 });
      const pems = MeshCa.readUserCaFiles({ certFile: path.join(dir, 'ca-cert.pem'), keyFile: path.join(dir, 'ca-key.pem') });
      const ca = await MeshCa.start({ userCa: pems, dir: path.join(dir, 'unused') });
      expect(ca.source).toBe('user');
      expect(fs.existsSync(path.join(dir, 'unused'))).toBe(false);
      const { csrPem } = await createWorkloadCsr(web);
      const issued = await ca.signCsr(csrPem, { identity: web });
      const leaf = new x509.X509Certificate(issued.certPem);
      expect(leaf.issuer).toBe('CN=Corp Root');
      expect(await leaf.verify({ publicKey: root.cert.publicKey, signatureOnly: true })).toBe(true);
      expect(new x509.X509Certificate(issued.rootCertPem).equal(root.cert)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an intermediate CA: the chain carries the intermediate, ROOTCA the root', async () => {
    const root = await makeCa('CN=Corp Root');
    const intermediate = await makeCa('CN=Mesh Intermediate', { cert: root.cert, key: root.key });
    const ca = await MeshCa.start({
      userCa: { certPem: intermediate.cert.toString('pem'), keyPem: intermediate.keyPem, chainPem: intermediate.cert.toString('pem') + root.cert.toString('pem') },
    });
    const { csrPem } = await createWorkloadCsr(web);
    const issued = await ca.signCsr(csrPem, { identity: web });
    expect(x509.PemConverter.decode(issued.certChainPem)).toHaveLength(2);
    expect(new x509.X509Certificate(issued.rootCertPem).subject).toBe('CN=Corp Root');
    const chain = await new x509.X509ChainBuilder({ certificates: [intermediate.cert, root.cert] }).build(new x509.X509Certificate(issued.certPem));
    expect(chain.map((c) => c.subject)).toEqual(['', 'CN=Mesh Intermediate', 'CN=Corp Root']);
  });

  test('rejects a key that does not match the certificate, and a non-CA certificate', async () => {
    const a = await makeCa('CN=A');
    const b = await makeCa('CN=B');
    await expect(MeshCa.start({ userCa: { certPem: a.cert.toString('pem'), keyPem: b.keyPem } })).rejects.toThrow('user CA: keyPem: the key does not match the certificate CN=A');
    const ca = await MeshCa.start({});
    const { csrPem } = await createWorkloadCsr(web);
    const leaf = await ca.signCsr(csrPem, { identity: web });
    await expect(MeshCa.start({ userCa: { certPem: leaf.certPem, keyPem: a.keyPem } })).rejects.toThrow('expected a CA certificate');
  });
});
