/**
 * The CA on the xDS port: CreateCertificate signs only what the bootstrap
 * token proves; other requests are refused with the gRPC status saying why,
 * and logged.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ControlPlane, lineLogger, startControlPlane } from '../../runtime/control-plane';
import { createWorkloadCsr } from '../../runtime/ca';
import { WorkloadCertificates, requestCertificate } from '../../runtime/proxy/identity';

const identity = (sa: string): { trustDomain: string; namespace: string; serviceAccount: string } => ({ trustDomain: 'cluster.local', namespace: 'default', serviceAccount: sa });

describe('CreateCertificate', () => {
  let dir: string;
  let plane: ControlPlane;
  const lines: string[] = [];
  let address: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-ca-service-'));
    fs.mkdirSync(path.join(dir, 'config'));
    plane = await startControlPlane({
      configDir: path.join(dir, 'config'), xdsPort: 0, monitoringPort: 0,
      logger: lineLogger({ write: (l) => lines.push(l), level: 'debug' }),
      ca: { dir: path.join(dir, 'ca') },
    });
    address = `127.0.0.1:${plane.xdsPort}`;
  });
  afterAll(async () => {
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('issues a 24 h certificate for the identity the token proves, the root last; the root persists in --ca-dir', async () => {
    const csr = await createWorkloadCsr(identity('reviews'));
    const chain = await requestCertificate({ address, token: plane.ca?.tokens.mint(identity('reviews')) ?? '', csrPem: csr.csrPem });
    expect(chain).toHaveLength(2);
    const leaf = new crypto.X509Certificate(chain[0] as string);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/reviews');
    const hours = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 3_600_000;
    expect(Math.round(hours)).toBe(24);
    expect(leaf.verify(new crypto.X509Certificate(chain[1] as string).publicKey)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'ca', 'ca-cert.pem'), 'utf8').trim()).toBe((chain[1] as string).trim());
    expect(fs.existsSync(path.join(dir, 'ca', 'bootstrap-secret'))).toBe(true);
  });

  it('a proxy identity schedules its renewal at half the certificate life and takes a new key each time', async () => {
    const certs = new WorkloadCertificates({ identity: identity('details'), caAddress: address, token: plane.ca?.tokens.mint(identity('details')) ?? '' });
    try {
      const first = await certs.start();
      const half = first.notBefore.getTime() + (first.notAfter.getTime() - first.notBefore.getTime()) / 2;
      expect(Math.abs((certs.nextRenewal?.getTime() ?? 0) - half)).toBeLessThan(2000);
      const second = await certs.renewNow();
      expect(second.serialNumber).not.toBe(first.serialNumber);
      expect(second.privateKeyPem).not.toBe(first.privateKeyPem);
      expect(certs.material()).toBe(second);
      expect(certs.sdsSecrets().map((x) => x.name)).toEqual(['default', 'ROOTCA']);
    } finally {
      certs.stop();
    }
  });

  it('refuses a call without a valid token (UNAUTHENTICATED) and logs it', async () => {
    const csr = await createWorkloadCsr(identity('reviews'));
    await expect(requestCertificate({ address, token: 'mfbt1.forged.token', csrPem: csr.csrPem })).rejects.toThrow(/UNAUTHENTICATED/);
    expect(lines.some((l) => l.includes('refused CSR') && l.includes('not authenticated'))).toBe(true);
  });

  it('refuses a CSR for an identity the token does not prove (PERMISSION_DENIED) and logs it', async () => {
    const csr = await createWorkloadCsr(identity('ratings'));
    await expect(requestCertificate({ address, token: plane.ca?.tokens.mint(identity('reviews')) ?? '', csrPem: csr.csrPem })).rejects.toThrow(/PERMISSION_DENIED/);
    expect(lines.some((l) => l.includes('refused CSR from default/reviews (identity-mismatch)'))).toBe(true);
  });
});
