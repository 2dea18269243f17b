import * as tls from 'tls';
import { AddressInfo } from 'net';
import { MeshCa, WorkloadIdentity, createWorkloadCsr, parseSpiffeId } from '../../runtime/ca';

const web: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'web' };
const api: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'api' };

interface Material {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

async function material(ca: MeshCa, identity: WorkloadIdentity): Promise<Material> {
  const csr = await createWorkloadCsr(identity);
  const issued = await ca.signCsr(csr.csrPem, { identity });
  return { key: csr.privateKeyPem, cert: issued.certChainPem, ca: issued.rootCertPem };
}

function uriSan(cert: tls.PeerCertificate): string | undefined {
  const m = /URI:([^,\s]+)/.exec(cert.subjectaltname ?? '');
  return m?.[1];
}

/** Server and client on loopback, both presenting workload certs; resolves with what each side saw. */
async function handshake(server: Material, client: Material): Promise<{ serverSaw?: string; clientSaw?: string; error?: string }> {
  const seen: { serverSaw?: string } = {};
  const srv = tls.createServer({ key: server.key, cert: server.cert, ca: server.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
    seen.serverSaw = uriSan(socket.getPeerCertificate());
    socket.end('hello');
  });
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  try {
    return await new Promise((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        key: client.key,
        cert: client.cert,
        ca: client.ca,
        // Workload certificates carry no DNS name: identity is the SPIFFE URI, checked here as Envoy's SAN matcher does.
        checkServerIdentity: (_host, cert) => (uriSan(cert) === 'spiffe://cluster.local/ns/shop/sa/api' ? undefined : new Error(`unexpected peer ${uriSan(cert)}`)),
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => {
        const clientSaw = uriSan(socket.getPeerCertificate());
        socket.destroy();
        resolve(data === 'hello' ? { serverSaw: seen.serverSaw, clientSaw } : { error: 'no data' });
      });
      socket.on('error', (err) => resolve({ error: err.message }));
    });
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}

describe('mutual TLS between two issued workload certificates', () => {
  let ca: MeshCa;
  let other: MeshCa;
  beforeAll(async () => {
    ca = await MeshCa.start({});
    other = await MeshCa.start({});
  });

  test('succeeds, each side seeing the peer SPIFFE ID', async () => {
    const result = await handshake(await material(ca, api), await material(ca, web));
    expect(result).toEqual({ serverSaw: 'spiffe://cluster.local/ns/default/sa/web', clientSaw: 'spiffe://cluster.local/ns/shop/sa/api' });
    const peer = parseSpiffeId(result.serverSaw ?? '');
    expect(peer.ok && peer.value).toEqual(web);
  });

  test('fails when the client certificate comes from another CA', async () => {
    const foreign = await material(other, web);
    const result = await handshake(await material(ca, api), { ...foreign, ca: ca.rootCertPem });
    expect(result.error).toBeDefined();
    expect(result.serverSaw).toBeUndefined();
  });

  test('fails when the server certificate comes from another CA', async () => {
    const foreign = await material(other, api);
    const result = await handshake({ ...foreign, ca: ca.rootCertPem }, await material(ca, web));
    expect(result.error).toMatch(/certificate/i);
  });
});
