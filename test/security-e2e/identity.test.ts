/**
 * Seeing a workload's identity: the proxy's Envoy-shaped `/certs`, its
 * `/identity` summary, and `meshform identity --admin`.
 */
import * as crypto from 'crypto';
import { renderCerts, identitySummary } from '../../runtime/proxy/admin';
import { formatIdentity, parseAdminAddress } from '../../runtime/cli/identity-command';
import { runCli } from '../cli/capture';
import { SecureMesh, startSecureMesh } from './harness';

jest.setTimeout(30_000);

const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/client';

interface Details {
  path: string;
  serial_number: string;
  subject_alt_names: ({ uri: string } | { dns: string })[];
  days_until_expiration: string;
  valid_from: string;
  expiration_time: string;
}

describe('workload identity on the admin endpoint', () => {
  let mesh: SecureMesh;
  beforeAll(async () => {
    mesh = await startSecureMesh('127.0.96');
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('/certs lists the workload chain and the root as Envoy does', async () => {
    // WHEN the client sidecar's /certs is read
    const r = await mesh.adminGet(mesh.client, '/certs');
    expect(r.status).toBe(200);
    const dump = JSON.parse(r.body) as { certificates: { ca_cert: Details[]; cert_chain: Details[] }[] };
    // THEN it holds one TLS context: the workload chain and the mesh root
    expect(dump.certificates).toHaveLength(1);
    const [entry] = dump.certificates;
    const material = mesh.client.certificates?.material();
    expect(material).toBeDefined();
    const leaf = entry?.cert_chain[0] as Details;
    expect(leaf.path).toBe('<inline>');
    expect(leaf.serial_number).toBe(material?.serialNumber.toLowerCase());
    expect(leaf.subject_alt_names).toEqual([{ uri: CLIENT_ID }]);
    expect(leaf.valid_from).toBe(material?.notBefore.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(leaf.expiration_time).toBe(material?.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    // The CA's default lifetime is 24 h: 0 whole days left.
    expect(leaf.days_until_expiration).toBe('0');
    const root = entry?.ca_cert[0] as Details;
    expect(root.serial_number).toBe(new crypto.X509Certificate(material?.rootCertPem ?? '').serialNumber.toLowerCase());
    expect(Number(root.days_until_expiration)).toBeGreaterThan(3000);
  });

  it('/identity names the SPIFFE ID, issuer and next rotation (half-life)', async () => {
    const r = await mesh.adminGet(mesh.server, '/identity');
    expect(r.status).toBe(200);
    const s = JSON.parse(r.body) as Record<string, string>;
    expect(s.spiffe_id).toBe('spiffe://cluster.local/ns/default/sa/reviews');
    expect(s.issuer).toMatch(/O=cluster\.local/);
    const m = mesh.server.certificates?.material();
    const half = (m?.notBefore.getTime() ?? 0) + ((m?.notAfter.getTime() ?? 0) - (m?.notBefore.getTime() ?? 0)) / 2;
    expect(Math.abs(Date.parse(s.next_rotation ?? '') - half)).toBeLessThan(2000);
  });

  it('meshform identity --admin prints the identity', async () => {
    const run = await runCli(['identity', '--admin', `127.0.0.1:${mesh.client.adminPort}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^SPIFFE ID: +${CLIENT_ID}$`, 'm'));
    expect(run.stdout).toMatch(/^Issuer: +.*cluster\.local/m);
    expect(run.stdout).toMatch(/^Valid until: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(0 days\)$/m);
    expect(run.stdout).toMatch(/^Next rotation: +\d{4}-/m);
  });

  it('meshform identity fails plainly when nothing answers, and on a bad address', async () => {
    const down = await runCli(['identity', '--admin', '127.0.96.250:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the proxy admin at 127\.0\.96\.250:1/);
    const bad = await runCli(['identity', '--admin', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--admin: expected host:port/);
  });
});

describe('certs rendering', () => {
  it('answers an empty list without certificates, and parses admin addresses', () => {
    expect(renderCerts([])).toEqual({ certificates: [] });
    expect(parseAdminAddress('15000')).toEqual({ host: '127.0.0.1', port: 15000 });
    expect(parseAdminAddress('127.0.0.5:15001')).toEqual({ host: '127.0.0.5', port: 15001 });
    expect(() => parseAdminAddress('127.0.0.1:70000')).toThrow(/expected host:port/);
  });

  it('formats a summary', () => {
    const text = formatIdentity({
      spiffe_id: CLIENT_ID, serial_number: 'ab', issuer: 'O=cluster.local', root_subject: 'O=cluster.local',
      valid_from: '2026-01-01T00:00:00Z', expiration_time: '2026-01-02T00:00:00Z', days_until_expiration: '1',
    });
    expect(text).toContain('Next rotation: unknown');
    expect(typeof identitySummary).toBe('function');
  });
});
