/**
 * TLS on an ingress gateway, end to end on loopback: a router proxy
 * configured by the control plane from Istio YAML and Kubernetes TLS Secrets.
 * SIMPLE terminates with the credentialName certificate chosen by SNI;
 * MUTUAL also requires a client certificate from the Secret's CA;
 * PASSTHROUGH forwards the TLS stream by SNI to a backend whose own
 * certificate the client sees.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import * as tls from 'tls';
import { ControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime } from '../../runtime/proxy/data-plane';
import { parseClientHello, selectByServerName } from '../../runtime/proxy/tls';
import { tempDir, writeAtomically } from '../support/config-dir';
import { admin } from '../support/http-client';
import { Upstream, startUpstream } from '../support/local-upstreams';
import { kubeServiceYaml, workloadEntryYaml } from '../support/mesh-yaml';
import { startTestPlane, startTestProxy, waitForReady } from '../support/mesh-under-test';
import { eventually } from '../support/wait-for';
import { TestCa, createTestCa, tlsSecretYaml } from './test-pki';

jest.setTimeout(30_000);

const GW = '127.0.99.1';
const APP = '127.0.99.10';
const BACKEND = '127.0.99.11';
const HTTPS_PORT = 18443;
const MUTUAL_PORT = 18444;
const PASSTHROUGH_PORT = 18445;

function meshYaml(app: Upstream, backendPort: number): string {
  return kubeServiceYaml('web', [{ name: 'http', port: 9080 }])
    + workloadEntryYaml({ name: 'web-0', address: app.address, ports: { http: app.port }, labels: { app: 'web' } })
    + kubeServiceYaml('backend', [{ name: 'tls', port: 443 }])
    + workloadEntryYaml({ name: 'backend-0', address: BACKEND, ports: { tls: backendPort }, labels: { app: 'backend' } })
    + `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: public-gw, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: ${HTTPS_PORT}, name: https, protocol: HTTPS }
    bind: ${GW}
    hosts: ["web.example.com"]
    tls: { mode: SIMPLE, credentialName: web-cert }
  - port: { number: ${HTTPS_PORT}, name: https-api, protocol: HTTPS }
    bind: ${GW}
    hosts: ["api.example.com"]
    tls: { mode: SIMPLE, credentialName: api-cert }
  - port: { number: ${MUTUAL_PORT}, name: https-mutual, protocol: HTTPS }
    bind: ${GW}
    hosts: ["secure.example.com"]
    tls: { mode: MUTUAL, credentialName: secure-cert }
  - port: { number: ${PASSTHROUGH_PORT}, name: tls-passthrough, protocol: TLS }
    bind: ${GW}
    hosts: ["backend.example.com"]
    tls: { mode: PASSTHROUGH }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web, namespace: default }
spec:
  hosts: ["web.example.com", "api.example.com", "secure.example.com"]
  gateways: ["istio-system/public-gw"]
  http:
  - route: [{ destination: { host: web, port: { number: 9080 } } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: backend, namespace: default }
spec:
  hosts: ["backend.example.com"]
  gateways: ["istio-system/public-gw"]
  tls:
  - match: [{ sniHosts: ["backend.example.com"], port: ${PASSTHROUGH_PORT} }]
    route: [{ destination: { host: backend.default.svc.cluster.local, port: { number: 443 } } }]
`;
}

interface HttpsReply {
  readonly status: number;
  readonly body: string;
  readonly peerCert: tls.PeerCertificate;
}

function httpsGet(port: number, servername: string, ca: string, p: string, client?: { cert: string; key: string }): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: GW, port, path: p, servername, ca, agent: false, headers: { host: servername },
      ...(client !== undefined ? { cert: client.cert, key: client.key } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      const peerCert = (res.socket as tls.TLSSocket).getPeerCertificate();
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peerCert }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${servername}${p}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('gateway TLS', () => {
  let dir: string;
  let plane: ControlPlane | undefined;
  let gateway: ProxyRuntime | undefined;
  let app: Upstream;
  let backend: https.Server;
  let serverCa: TestCa;
  let clientCa: TestCa;
  let backendCa: TestCa;
  let webKeyPem = '';

  beforeAll(async () => {
    dir = tempDir('gateway-tls');
    serverCa = await createTestCa('gateway test CA');
    clientCa = await createTestCa('client test CA');
    backendCa = await createTestCa('backend test CA');
    app = await startUpstream('web-app', APP);
    const backendCert = await backendCa.issue('backend.example.com', ['backend.example.com']);
    backend = https.createServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (req, res) => {
      res.end(`backend saw ${req.url} over ${(req.socket as tls.TLSSocket).servername ?? 'no SNI'}`);
    });
    await new Promise<void>((resolve) => backend.listen(0, BACKEND, resolve));
    const backendPort = (backend.address() as { port: number }).port;
    const web = await serverCa.issue('web.example.com', ['web.example.com']);
    webKeyPem = web.keyPem;
    const api = await serverCa.issue('api.example.com', ['api.example.com']);
    const secure = await serverCa.issue('secure.example.com', ['secure.example.com']);
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), meshYaml(app, backendPort));
    fs.writeFileSync(path.join(dir, 'secrets.yaml'),
      tlsSecretYaml('istio-system', 'web-cert', { cert: web.certPem, key: web.keyPem })
      + tlsSecretYaml('istio-system', 'api-cert', { cert: api.certPem, key: api.keyPem })
      + tlsSecretYaml('istio-system', 'secure-cert', { cert: secure.certPem, key: secure.keyPem, ca: clientCa.certPem }));
    plane = await startTestPlane(dir, { debounceMs: 10, settleMs: 30 });
    gateway = await startTestProxy(plane, {
      node: { nodeId: `router~${GW}~ingressgateway-0.istio-system~istio-system.svc.cluster.local`, labels: { istio: 'ingressgateway' } },
      drainTimeoutMs: 500, batchAccessLog: false,
    });
    await waitForReady(gateway.adminPort);
    const g = gateway;
    await eventually('gateway listeners', async () => [HTTPS_PORT, MUTUAL_PORT, PASSTHROUGH_PORT].every((p) => g.dataPlane?.listeners.has(`${GW}_${p}`)), 8000);
  });

  afterAll(async () => {
    await gateway?.close();
    await plane?.close();
    await app?.close();
    backend?.closeAllConnections();
    await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIMPLE: terminates TLS with the credentialName certificate the SNI selects', async () => {
    // WHEN an HTTPS client trusting the test CA calls web.example.com with SNI
    const web = await httpsGet(HTTPS_PORT, 'web.example.com', serverCa.certPem, '/hello');
    // THEN the gateway presented web.example.com's certificate and routed to the app
    expect(web.status).toBe(200);
    expect(web.peerCert.subject.CN).toBe('web.example.com');
    expect(JSON.parse(web.body).path).toBe('/hello');
    // AND the same port serves api.example.com with its own certificate
    const api = await httpsGet(HTTPS_PORT, 'api.example.com', serverCa.certPem, '/api');
    expect(api.status).toBe(200);
    expect(api.peerCert.subject.CN).toBe('api.example.com');
  });

  it('config_dump shows the TLS chains but never the private keys', async () => {
    const dump = await admin(gateway?.adminPort ?? 0, '/config_dump');
    expect(dump.body).toContain('"server_names"');
    expect(dump.body).toContain('tls_certificates');
    expect(dump.body).toContain('[redacted]');
    expect(dump.body).not.toContain(Buffer.from(webKeyPem, 'utf8').toString('base64').slice(0, 40));
  });

  it("the control plane's /debug/config_dump of the gateway never shows the private keys either", async () => {
    const proxyID = encodeURIComponent(`router~${GW}~ingressgateway-0.istio-system~istio-system.svc.cluster.local`);
    const dump = await admin(plane?.monitoringPort ?? 0, `/debug/config_dump?proxyID=${proxyID}`);
    expect(dump.status).toBe(200);
    expect(dump.body).toContain('tls_certificates');
    expect(dump.body).toContain('[redacted]');
    expect(dump.body).not.toContain(Buffer.from(webKeyPem, 'utf8').toString('base64').slice(0, 40));
    expect(dump.body).not.toContain(webKeyPem.split('\n')[1]);
  });

  it('/certs lists the gateway credentials; /identity says the gateway has no workload identity', async () => {
    const certs = JSON.parse((await admin(gateway?.adminPort ?? 0, '/certs')).body) as { certificates: { ca_cert: unknown[]; cert_chain: { subject_alt_names: { dns?: string }[] }[] }[] };
    const names = certs.certificates.flatMap((c) => c.cert_chain.flatMap((d) => d.subject_alt_names.map((n) => n.dns)));
    expect(names).toEqual(expect.arrayContaining(['web.example.com', 'api.example.com', 'secure.example.com']));
    // MUTUAL's client CA is its ca_cert.
    expect(certs.certificates.filter((c) => c.ca_cert.length === 1)).toHaveLength(1);
    expect((await admin(gateway?.adminPort ?? 0, '/identity')).status).toBe(404);
  });

  it('SIMPLE: an unknown SNI gets no certificate (connection closed)', async () => {
    await expect(httpsGet(HTTPS_PORT, 'other.example.com', serverCa.certPem, '/')).rejects.toThrow();
  });

  it('MUTUAL: admits a client with a certificate from the Secret CA, rejects one without', async () => {
    const client = await clientCa.issue('client', ['client.example.com']);
    const ok = await httpsGet(MUTUAL_PORT, 'secure.example.com', serverCa.certPem, '/mutual', { cert: client.certPem, key: client.keyPem });
    expect(ok.status).toBe(200);
    expect(ok.peerCert.subject.CN).toBe('secure.example.com');
    await expect(httpsGet(MUTUAL_PORT, 'secure.example.com', serverCa.certPem, '/no-cert')).rejects.toThrow();
    // A certificate from another CA is refused too.
    const stranger = await backendCa.issue('stranger', ['stranger.example.com']);
    await expect(httpsGet(MUTUAL_PORT, 'secure.example.com', serverCa.certPem, '/stranger', { cert: stranger.certPem, key: stranger.keyPem })).rejects.toThrow();
    expect(app.seen.some((s) => s.path === '/no-cert' || s.path === '/stranger')).toBe(false);
  });

  it('a renewed Secret is served to new connections', async () => {
    // GIVEN a new certificate for web.example.com in the same Secret
    const renewed = await serverCa.issue('web.example.com', ['web.example.com', 'www.example.com']);
    const before = (await httpsGet(HTTPS_PORT, 'web.example.com', serverCa.certPem, '/before')).peerCert.serialNumber;
    const secrets = fs.readFileSync(path.join(dir, 'secrets.yaml'), 'utf8').split(/(?=^---$)/m);
    secrets[0] = tlsSecretYaml('istio-system', 'web-cert', { cert: renewed.certPem, key: renewed.keyPem });
    writeAtomically(path.join(dir, 'secrets.yaml'), secrets.join(''));
    // THEN new connections get it
    const after = await eventually('renewed certificate', async () => {
      const r = await httpsGet(HTTPS_PORT, 'web.example.com', serverCa.certPem, '/after').catch(() => undefined);
      return r !== undefined && r.peerCert.serialNumber !== before ? r : undefined;
    }, 8000);
    expect(after.status).toBe(200);
    expect(after.peerCert.subjectaltname).toContain('DNS:www.example.com');
  });

  it('PASSTHROUGH: the client reaches the TLS backend by SNI and sees its certificate end to end', async () => {
    const r = await httpsGet(PASSTHROUGH_PORT, 'backend.example.com', backendCa.certPem, '/through');
    expect(r.status).toBe(200);
    expect(r.peerCert.subject.CN).toBe('backend.example.com');
    expect(r.body).toBe('backend saw /through over backend.example.com');
    // An SNI no route names is closed.
    await expect(httpsGet(PASSTHROUGH_PORT, 'nobody.example.com', backendCa.certPem, '/')).rejects.toThrow();
  });
});

describe('SNI helpers', () => {
  it('reads the server name of a real ClientHello, and picks chains as Envoy does', async () => {
    const net = await import('net');
    const hello = await new Promise<Buffer>((resolve) => {
      const server = net.createServer((s) => s.once('data', (d: Buffer) => { resolve(d); s.destroy(); server.close(); }));
      server.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: 'Shop.Example.com' });
        c.on('error', () => undefined);
      });
    });
    expect(parseClientHello(hello)).toEqual({ kind: 'clientHello', serverName: 'shop.example.com' });
    expect(parseClientHello(hello.subarray(0, 10))).toEqual({ kind: 'incomplete' });
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'notTls' });
    const chains = [{ serverNames: ['*.example.com'], id: 'wild' }, { serverNames: ['a.b.example.com', '*.b.example.com'], id: 'b' }, { serverNames: [], id: 'any' }];
    expect(selectByServerName(chains, 'x.example.com')?.id).toBe('wild');
    expect(selectByServerName(chains, 'x.b.example.com')?.id).toBe('b');
    expect(selectByServerName(chains, 'a.b.example.com')?.id).toBe('b');
    expect(selectByServerName(chains, 'example.org')?.id).toBe('any');
    expect(selectByServerName(chains, undefined)?.id).toBe('any');
  });
});
