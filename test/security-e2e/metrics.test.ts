/**
 * Istio's request metrics say how a request was secured: through two sidecars
 * with STRICT mTLS, both reporters record `connection_security_policy`
 * `mutual_tls` and both principals; the destination names the source workload
 * from the peer's SPIFFE ID.
 */
import { outboundSecurity, workloadOfPrincipal } from '../../runtime/proxy/metrics';
import { eventually, request, requestsTotal } from '../proxy-e2e/harness';
import { SecureMesh, startSecureMesh } from './harness';

jest.setTimeout(30_000);

const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/client';
const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/reviews';

describe('Istio metrics over mTLS', () => {
  let mesh: SecureMesh;
  beforeAll(async () => {
    mesh = await startSecureMesh('127.0.97');
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('labels both sides of an mTLS request with mutual_tls and the principals', async () => {
    // WHEN the client calls reviews through both sidecars (STRICT, auto mTLS)
    for (let i = 0; i < 3; i++) expect((await mesh.viaMesh(`/metrics/${i}`)).status).toBe(200);
    // THEN the destination reports the request as mutual_tls from the client's identity
    const inbound = (await mesh.adminGet(mesh.server, '/stats/prometheus')).body;
    expect(requestsTotal(inbound, {
      reporter: 'destination',
      connection_security_policy: 'mutual_tls',
      source_principal: CLIENT_ID,
      destination_principal: SERVER_ID,
      source_workload: 'client',
      source_workload_namespace: 'default',
      response_code: '200',
    })).toBe(3);
    // AND the source reports it as sent over mTLS to the reviews identity
    const outbound = (await mesh.adminGet(mesh.client, '/stats/prometheus')).body;
    expect(requestsTotal(outbound, {
      reporter: 'source',
      connection_security_policy: 'mutual_tls',
      source_principal: CLIENT_ID,
      destination_principal: SERVER_ID,
      destination_service: 'reviews.default.svc.cluster.local',
      response_code: '200',
    })).toBe(3);
  });

  it('labels a plaintext request on an mTLS proxy with none and unknown principals', async () => {
    // GIVEN PERMISSIVE, so plaintext is admitted
    await mesh.apply('permissive.yaml', `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: reviews, namespace: default }
spec:
  selector: { matchLabels: { app: reviews } }
  mtls: { mode: PERMISSIVE }
`, 'raw_buffer');
    await eventually('PERMISSIVE inbound', async () => mesh.server.dataPlane?.listeners.get(`${mesh.serverIp}_9080`)?.tlsMode === 'PERMISSIVE', 8000);
    expect((await request(mesh.serverIp, 9080, '/plain', { host: 'reviews:9080' })).status).toBe(200);
    const inbound = (await mesh.adminGet(mesh.server, '/stats/prometheus')).body;
    expect(requestsTotal(inbound, {
      reporter: 'destination', connection_security_policy: 'none', source_principal: 'unknown', source_workload: 'unknown', response_code: '200',
    })).toBe(1);
  });
});

describe('connection security helpers', () => {
  it('reads principals and cluster TLS', () => {
    expect(workloadOfPrincipal(CLIENT_ID)).toEqual({ namespace: 'default', serviceAccount: 'client' });
    expect(workloadOfPrincipal('spiffe://x/other')).toBeUndefined();
    expect(outboundSecurity(undefined)).toEqual({ mutualTls: false });
    expect(outboundSecurity({ kind: 'upstreamTls', alpnProtocols: [], certificateSecrets: [], matchSubjectAltNames: [] })).toEqual({ mutualTls: false });
    expect(outboundSecurity({
      kind: 'upstreamTls', alpnProtocols: [], certificateSecrets: ['default'], validationSecret: 'ROOTCA',
      matchSubjectAltNames: [{ type: 'URI', matcher: { kind: 'exact', value: SERVER_ID, ignoreCase: false } }],
    })).toEqual({ mutualTls: true, peerPrincipal: SERVER_ID });
  });
});
