import { packResource, unpackResource } from '../../runtime/xds/protos';
import { decodeSecret } from '../../runtime/xds/resources/secret';
import { MeshCa, SECRET_TYPE_URL, createWorkloadCsr, parseSpiffeId, parsePrincipal, principalOf, spiffeId, validateIdentity, workloadSecrets, lifetimeMs } from '../../runtime/ca';

const web = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'web' };

test('SDS default and ROOTCA secrets pack with packResource and decode with decodeSecret', async () => {
  const ca = await MeshCa.start({});
  const csr = await createWorkloadCsr(web);
  const issued = await ca.signCsr(csr.csrPem, { identity: web });
  const [cert, root] = workloadSecrets({ certChainPem: issued.certChainPem, privateKeyPem: csr.privateKeyPem, rootCertPem: issued.rootCertPem });

  const certAny = packResource(SECRET_TYPE_URL, cert);
  const rootAny = packResource(SECRET_TYPE_URL, root);
  expect(certAny.type_url).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');

  const decodedCert = decodeSecret(unpackResource(certAny));
  expect(decodedCert.ok).toBe(true);
  if (decodedCert.ok && decodedCert.value.kind === 'tlsCertificate') {
    expect(decodedCert.value.name).toBe('default');
    expect(decodedCert.value.certificateChain).toEqual({ kind: 'inline', value: Buffer.from(issued.certChainPem) });
    expect(decodedCert.value.privateKey).toEqual({ kind: 'inline', value: Buffer.from(csr.privateKeyPem) });
  } else {
    throw new Error('expected a tls certificate');
  }
  const decodedRoot = decodeSecret(unpackResource(rootAny));
  expect(decodedRoot).toEqual({
    ok: true,
    value: { name: 'ROOTCA', kind: 'validationContext', trustedCa: { kind: 'inline', value: Buffer.from(issued.rootCertPem) }, matchSubjectAltNames: [] },
  });
});

test('SPIFFE ids build, parse and validate', () => {
  expect(spiffeId(web)).toBe('spiffe://cluster.local/ns/default/sa/web');
  expect(principalOf(web)).toBe('cluster.local/ns/default/sa/web');
  expect(parseSpiffeId('spiffe://cluster.local/ns/default/sa/web')).toEqual({ ok: true, value: web });
  expect(parsePrincipal('cluster.local/ns/default/sa/web')).toEqual({ ok: true, value: web });
  expect(parseSpiffeId('spiffe://cluster.local/ns/default/sa/web/extra').ok).toBe(false);
  expect(parseSpiffeId('https://cluster.local/ns/default/sa/web').ok).toBe(false);
  expect(parseSpiffeId('spiffe://Cluster.Local/ns/default/sa/web').ok).toBe(false);
  expect(validateIdentity({ ...web, namespace: '' })).toEqual({ ok: false, errors: ["namespace: expected a non-empty path segment of letters, digits, '.', '-' or '_' (got '')"] });
  expect(() => spiffeId({ ...web, serviceAccount: 'a/b' })).toThrow('serviceAccount');
});

test('lifetimes', () => {
  expect(lifetimeMs('24h')).toBe(86_400_000);
  expect(lifetimeMs('1h30m')).toBe(5_400_000);
  expect(lifetimeMs('500ms')).toBe(500);
  expect(lifetimeMs(1000)).toBe(1000);
  expect(() => lifetimeMs('1 day')).toThrow("ttl: expected a positive duration such as '24h'");
  expect(() => lifetimeMs(-1)).toThrow('ttl');
});
