/**
 * Zero-trust on loopback: two sidecars with CA-issued workload certificates
 * talk mTLS; PeerAuthentication STRICT / PERMISSIVE / DISABLE on the inbound
 * side; certificates from another CA are refused; rotation under load loses
 * no request.
 */
import * as https from 'https';
import * as tls from 'tls';
import { MeshCa, createWorkloadCsr } from '../../runtime/ca';
import { CLIENT_ID, INBOUND_LISTENER, MtlsMesh, SERVER_ID, SERVER_IP, TRUST_DOMAIN, startMtlsMesh } from './harness';

jest.setTimeout(30_000);

function seenXfcc(body: string): string {
  const parsed = JSON.parse(body) as { headers: Record<string, string> };
  return parsed.headers['x-forwarded-client-cert'] ?? '';
}

describe('mTLS between sidecars', () => {
  let mesh: MtlsMesh;
  beforeAll(async () => {
    mesh = await startMtlsMesh();
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('originates mTLS to a sidecar destination and the server side sees the client SPIFFE ID', async () => {
    // GIVEN the default PeerAuthentication (PERMISSIVE) and a destination with a sidecar
    expect(mesh.server.dataPlane?.listeners.get(INBOUND_LISTENER)?.tlsMode).toBe('PERMISSIVE');
    expect(mesh.client.dataPlane?.clusters.get('outbound|9080||reviews.default.svc.cluster.local')?.originatesTls).toBe(true);
    // WHEN the client calls through its sidecar
    const r = await mesh.viaMesh('/mtls', { 'x-forwarded-client-cert': 'URI=spiffe://cluster.local/ns/default/sa/admin' });
    // THEN the reviews app got the request with the client's verified identity
    expect(r.status).toBe(200);
    const xfcc = seenXfcc(r.body);
    expect(xfcc).toContain(`By=${SERVER_ID}`);
    expect(xfcc).toContain(`URI=${CLIENT_ID}`);
    expect(xfcc).toMatch(/Hash=[0-9a-f]{64}/);
    // The app's own XFCC never got past its sidecar.
    expect(xfcc).not.toContain('sa/admin');
  });

  it('PERMISSIVE accepts plaintext too (and adds no client certificate header)', async () => {
    await mesh.setPeerAuthentication('PERMISSIVE');
    const plain = await mesh.direct('/plain', { 'x-forwarded-client-cert': 'URI=spiffe://cluster.local/ns/default/sa/admin' });
    expect(plain.status).toBe(200);
    // A plaintext client cannot claim an identity: its XFCC is dropped.
    expect(seenXfcc(plain.body)).toBe('');
    expect((await mesh.viaMesh('/tls')).status).toBe(200);
  });

  it('STRICT rejects a plaintext client and still serves mTLS', async () => {
    await mesh.setPeerAuthentication('STRICT');
    await expect(mesh.direct('/plain')).rejects.toThrow();
    const r = await mesh.viaMesh('/strict');
    expect(r.status).toBe(200);
    expect(seenXfcc(r.body)).toContain(`URI=${CLIENT_ID}`);
  });

  it('STRICT rejects a client certificate from another CA', async () => {
    await mesh.setPeerAuthentication('STRICT');
    // GIVEN a certificate for the client's identity, signed by a foreign root
    const foreign = await MeshCa.start({ trustDomain: TRUST_DOMAIN });
    const identity = { trustDomain: TRUST_DOMAIN, namespace: 'default', serviceAccount: 'client' };
    const csr = await createWorkloadCsr(identity);
    const issued = await foreign.signCsr(csr.csrPem, { identity });
    // WHEN it is presented to the reviews sidecar
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: SERVER_IP, port: 9080, key: csr.privateKeyPem, cert: issued.certChainPem, rejectUnauthorized: false }, () => {
        socket.write('GET /forged HTTP/1.1\r\nhost: reviews\r\n\r\n');
      });
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
      socket.on('error', (e) => resolve(`error: ${e.message}`));
      socket.on('close', () => resolve(data === '' ? 'closed without an answer' : data));
    });
    // THEN no HTTP answer comes back
    expect(outcome).not.toMatch(/^HTTP\/1\.1 200/);
    expect(mesh.app.seen.some((s) => s.path === '/forged')).toBe(false);
  });

  it('a DestinationRule with tls.mode DISABLE sends plaintext, which STRICT refuses (503)', async () => {
    await mesh.setPeerAuthentication('STRICT');
    mesh.writeConfig('dr.yaml', `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: reviews
  trafficPolicy: { tls: { mode: DISABLE } }
`);
    const cluster = 'outbound|9080||reviews.default.svc.cluster.local';
    const deadline = Date.now() + 8000;
    while (mesh.client.dataPlane?.clusters.get(cluster)?.originatesTls !== false && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(mesh.client.dataPlane?.clusters.get(cluster)?.originatesTls).toBe(false);
    const r = await mesh.viaMesh('/disabled');
    expect(r.status).toBe(503);
    // Back to auto mTLS.
    mesh.writeConfig('dr.yaml', '');
    while (mesh.client.dataPlane?.clusters.get(cluster)?.originatesTls !== true && Date.now() < deadline + 8000) await new Promise((r) => setTimeout(r, 20));
    expect((await mesh.viaMesh('/again')).status).toBe(200);
  });

  it('refuses a server whose certificate names another identity than the DestinationRule expects (503)', async () => {
    await mesh.setPeerAuthentication('PERMISSIVE');
    const cluster = 'outbound|9080||reviews.default.svc.cluster.local';
    const expectSans = async (sans: string): Promise<void> => {
      mesh.writeConfig('dr.yaml', `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: reviews
  trafficPolicy: { tls: { mode: ISTIO_MUTUAL, subjectAltNames: [${sans}] } }
`);
      const deadline = Date.now() + 8000;
      while (!JSON.stringify(mesh.client.ads?.store.current.clusters.get(cluster)?.value.transportSocket ?? {}).includes(sans) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await mesh.client.dataPlane?.settled();
    };
    await expectSans('"spiffe://cluster.local/ns/default/sa/someone-else"');
    expect((await mesh.viaMesh('/wrong-identity')).status).toBe(503);
    await expectSans(`"${SERVER_ID}"`);
    expect((await mesh.viaMesh('/right-identity')).status).toBe(200);
    mesh.writeConfig('dr.yaml', '');
  });

  it('rotates both certificates under steady load without losing a request', async () => {
    await mesh.setPeerAuthentication('STRICT');
    const serialsBefore = [mesh.client.certificates?.material().serialNumber, mesh.server.certificates?.material().serialNumber];
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        const batch = await Promise.all([1, 2, 3, 4].map((i) => mesh.viaMesh(`/load/${i}`).then((r) => r.status, () => 0)));
        statuses.push(...batch);
      }
    })();
    for (let i = 0; i < 3; i++) {
      await mesh.server.certificates?.renewNow();
      await mesh.client.certificates?.renewNow();
      await new Promise((r) => setTimeout(r, 50));
    }
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(8);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const serialsAfter = [mesh.client.certificates?.material().serialNumber, mesh.server.certificates?.material().serialNumber];
    expect(serialsAfter[0]).not.toBe(serialsBefore[0]);
    expect(serialsAfter[1]).not.toBe(serialsBefore[1]);
    // New connections carry the new client certificate.
    const r = await mesh.viaMesh('/after-rotation');
    expect(r.status).toBe(200);
  });

  it('carries TCP over mTLS (tcp_proxy both sides); STRICT refuses plaintext TCP', async () => {
    await mesh.setPeerAuthentication('STRICT');
    expect(mesh.client.dataPlane?.clusters.get('outbound|9091||reviews.default.svc.cluster.local')?.originatesTls).toBe(true);
    expect(await mesh.echo('hello over mTLS')).toBe('hello over mTLS');
    expect(await mesh.echo('plaintext', SERVER_IP).catch(() => '')).toBe('');
    await mesh.setPeerAuthentication('PERMISSIVE');
    expect(await mesh.echo('plaintext accepted', SERVER_IP)).toBe('plaintext accepted');
    expect(await mesh.echo('still mTLS')).toBe('still mTLS');
  });

  it('a DestinationRule with tls.mode SIMPLE originates TLS (with its SNI) to an external HTTPS server', async () => {
    // GIVEN an HTTPS server outside the mesh, reached through a ServiceEntry on port 9080
    const ca = await MeshCa.start({ trustDomain: TRUST_DOMAIN });
    const identity = { trustDomain: TRUST_DOMAIN, namespace: 'default', serviceAccount: 'external' };
    const csr = await createWorkloadCsr(identity);
    const issued = await ca.signCsr(csr.csrPem, { identity });
    let sni = '';
    const server = https.createServer({ key: csr.privateKeyPem, cert: issued.certChainPem }, (req, res) => {
      sni = (req.socket as tls.TLSSocket).servername || '';
      res.end(`secure ${req.url ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.88.3', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      mesh.writeConfig('external.yaml', `---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: secure, namespace: default }
spec:
  hosts: [secure.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  endpoints: [{ address: 127.0.88.3, ports: { http: ${port} } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: secure, namespace: default }
spec:
  host: secure.example.com
  trafficPolicy: { tls: { mode: SIMPLE, sni: secure.example.com } }
`);
      const cluster = 'outbound|9080||secure.example.com';
      const deadline = Date.now() + 8000;
      while (mesh.client.dataPlane?.clusters.get(cluster)?.originatesTls !== true && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await mesh.client.dataPlane?.settled();
      // WHEN the app calls it in plaintext through its sidecar
      const r = await mesh.viaMesh('/tls-origination', { host: 'secure.example.com:9080' });
      // THEN the sidecar spoke TLS to it, with the DestinationRule's SNI
      expect(r.status).toBe(200);
      expect(r.body).toBe('secure /tls-origination');
      expect(sni).toBe('secure.example.com');
    } finally {
      mesh.writeConfig('external.yaml', '');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('DISABLE serves plaintext only on the inbound side', async () => {
    await mesh.setPeerAuthentication('DISABLE');
    expect((await mesh.direct('/disabled-plain')).status).toBe(200);
  });
});
