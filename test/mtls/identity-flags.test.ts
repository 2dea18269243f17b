/** The proxy's identity flags and the launcher's credentials for it. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { proxyIdentityOptions, BOOTSTRAP_TOKEN_ENV } from '../../runtime/cli/proxy-identity-flags';
import { launcherProxyIdentity } from '../../runtime/control-plane';
import { BootstrapTokens } from '../../runtime/ca';

describe('proxy identity flags', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-identity-flags-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('without a token: no workload identity (plaintext only)', () => {
    expect(proxyIdentityOptions({}, 'default', {})).toEqual({});
  });

  it('reads the token from --bootstrap-token-file, else from the environment', () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'mfbt1.a.b\n');
    expect(proxyIdentityOptions({ bootstrapTokenFile: file, serviceAccount: 'reviews' }, 'shop', {}).workloadIdentity).toEqual({
      identity: { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'reviews' }, token: 'mfbt1.a.b',
    });
    expect(proxyIdentityOptions({ trustDomain: 'example.org' }, 'default', { [BOOTSTRAP_TOKEN_ENV]: 'mfbt1.x.y' }).workloadIdentity?.identity.trustDomain).toBe('example.org');
  });

  it('names the flag on an unreadable file or an invalid service account', () => {
    expect(() => proxyIdentityOptions({ bootstrapTokenFile: path.join(dir, 'missing') }, 'default', {})).toThrow(/--bootstrap-token-file: cannot read/);
    expect(() => proxyIdentityOptions({ serviceAccount: 'a/b' }, 'default', { [BOOTSTRAP_TOKEN_ENV]: 't' })).toThrow(/serviceAccount/);
  });

  it('the launcher mints a token the control plane (same CA directory) verifies', () => {
    const caDir = path.join(dir, 'ca');
    const identity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'ratings' };
    const creds = launcherProxyIdentity(caDir, identity);
    expect(creds.args).toEqual(['--service-account', 'ratings', '--trust-domain', 'cluster.local']);
    const verified = BootstrapTokens.inDirectory(caDir).verify(creds.env.MESHFORM_BOOTSTRAP_TOKEN ?? '');
    expect(verified).toEqual({ ok: true, value: identity });
  });
});

describe('plug-in CA', () => {
  it('signs with the CA given in Istio\'s cacerts layout', async () => {
    const { MeshCa } = await import('../../runtime/ca');
    const { startCaService, SILENT } = await import('../../runtime/control-plane');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-plugin-ca-'));
    try {
      const own = await MeshCa.start({ dir }); // writes ca-cert.pem and ca-key.pem
      const running = await startCaService({ pluginCaDir: dir }, SILENT);
      expect(running.ca.source).toBe('user');
      expect(running.ca.rootCertPem.trim()).toBe(own.rootCertPem.trim());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
