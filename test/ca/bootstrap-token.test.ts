import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapTokens, WorkloadIdentity } from '../../runtime/ca';

const web: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'web' };

test('a minted token verifies to its identity', () => {
  const tokens = new BootstrapTokens();
  expect(tokens.verify(tokens.mint(web))).toEqual({ ok: true, value: web });
});

test('tampered, foreign, malformed and expired tokens are refused', () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const tokens = new BootstrapTokens({ now: () => new Date(now), ttl: '1h' });
  const token = tokens.mint(web);
  const [p, body, mac] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sa: 'admin' })).toString('base64url');
  expect(tokens.verify(`${p}.${forged}.${mac}`)).toEqual({ ok: false, errors: ['bootstrap token: signature does not verify'] });
  expect(new BootstrapTokens().verify(token).ok).toBe(false);
  expect(tokens.verify('garbage').ok).toBe(false);
  now += 3600_000;
  expect(tokens.verify(token)).toEqual({ ok: false, errors: ['bootstrap token: expired at 2030-01-01T01:00:00.000Z'] });
});

test('launcher and CA share the secret through the CA directory (0600)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-bt-'));
  try {
    const launcher = BootstrapTokens.inDirectory(dir);
    const ca = BootstrapTokens.inDirectory(dir, { trustDomain: 'cluster.local' });
    expect(fs.statSync(path.join(dir, 'bootstrap-secret')).mode & 0o777).toBe(0o600);
    expect(ca.verify(launcher.mint(web))).toEqual({ ok: true, value: web });
    expect(ca.verify(launcher.mint({ ...web, trustDomain: 'other.local' })).ok).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
