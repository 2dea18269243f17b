/**
 * Zero-trust end-to-end harness: a control plane with the mesh CA in this
 * process, mesh-wide PeerAuthentication STRICT (as `meshform up` runs), a
 * client sidecar (`<net>.1`, service account `client`) and a reviews sidecar
 * (`<net>.2`, service account `reviews`) in front of an HTTP app answering
 * with the headers it saw. Each test file passes its own `/24` on loopback so
 * files run in parallel. `mint` issues a mesh certificate for any identity,
 * to call the reviews sidecar as someone else over real mTLS.
 */
import * as https from 'https';
import * as path from 'path';
import { createWorkloadCsr } from '../../runtime/ca';
import type { ProxyRuntime } from '../../runtime/proxy/data-plane';
import { writeAtomically } from '../support/config-dir';
import { Reply, admin, replyTo, request } from '../support/http-client';
import type { Upstream } from '../support/local-upstreams';
import { HTTP_9080, kubeServiceYaml, sidecarResourceYaml, workloadEntryYaml } from '../support/mesh-yaml';
import { startTwoSidecars, TwoSidecars } from '../support/two-sidecars';
import { eventually } from '../support/wait-for';

export const TRUST_DOMAIN = 'cluster.local';

export interface MeshTls {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

export interface SecureMesh extends TwoSidecars {
  readonly clientIp: string;
  readonly serverIp: string;
  /** Through the client sidecar's egress `<clientIp>:9080` to reviews. */
  viaMesh(p: string, headers?: Record<string, string>): Promise<Reply>;
  /** A mesh certificate for `namespace/serviceAccount`, signed by the mesh CA. */
  mint(namespace: string, serviceAccount: string): Promise<MeshTls>;
  /** HTTPS straight to the reviews sidecar's inbound listener, presenting `tls`. */
  callAs(tls: MeshTls, p: string, headers?: Record<string, string>): Promise<Reply>;
  /** Writes `file` and waits until the reviews sidecar's config dump holds `marker`. */
  apply(file: string, yaml: string, marker: string): Promise<void>;
  adminGet(proxy: ProxyRuntime, p: string): Promise<{ status: number; body: string }>;
}

function meshYaml(clientIp: string, serverIp: string, app: Upstream): string {
  return kubeServiceYaml('reviews', [{ name: 'http', port: 9080 }])
    + workloadEntryYaml({ name: 'reviews-0', address: serverIp, ports: { http: 9080 }, serviceAccount: 'reviews', labels: { app: 'reviews', 'security.istio.io/tlsMode': 'istio' } })
    + sidecarResourceYaml('client', { egress: [{ port: HTTP_9080, bind: clientIp, hosts: ['./*'] }] })
    + sidecarResourceYaml('reviews', { ingress: [{ port: HTTP_9080, bind: serverIp, defaultEndpoint: `${app.address}:${app.port}` }], egress: [{ hosts: ['./*'] }] })
    + `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec:
  mtls: { mode: STRICT }
`;
}

/** Starts the mesh on `<net>.1` (client) and `<net>.2` (reviews), e.g. net `127.0.96`. */
export async function startSecureMesh(net: string, files: Readonly<Record<string, string>> = {}): Promise<SecureMesh> {
  const clientIp = `${net}.1`;
  const serverIp = `${net}.2`;
  const base = await startTwoSidecars({
    name: 'security-e2e', clientIp, serverIp, trustDomain: TRUST_DOMAIN, files,
    meshYaml: (app) => meshYaml(clientIp, serverIp, app),
    plane: { debounceMs: 10, settleMs: 30 },
    proxy: () => ({ batchAccessLog: false }),
  });
  const { plane, server } = base;
  try {
    await eventually('STRICT inbound listener', async () => server.dataPlane?.listeners.get(`${serverIp}_9080`)?.tlsMode === 'STRICT', 8000);
  } catch (e) {
    await base.close();
    throw e;
  }
  const adminGet = (proxy: ProxyRuntime, p: string): Promise<{ status: number; body: string }> => admin(proxy.adminPort, p);
  return {
    ...base, clientIp, serverIp, adminGet,
    viaMesh: (p, headers) => request(clientIp, 9080, p, headers),
    async mint(namespace, serviceAccount) {
      const ca = plane.ca?.ca;
      if (!ca) throw new Error('no CA');
      const identity = { trustDomain: TRUST_DOMAIN, namespace, serviceAccount };
      const csr = await createWorkloadCsr(identity);
      const issued = await ca.signCsr(csr.csrPem, { identity });
      return { key: csr.privateKeyPem, cert: issued.certChainPem, ca: issued.rootCertPem };
    },
    callAs: (tls, p, headers = {}) => {
      const started = Date.now();
      const req = https.request({
        host: serverIp, port: 9080, path: p, agent: false, key: tls.key, cert: tls.cert, ca: tls.ca,
        // The sidecar's certificate names its SPIFFE ID, not a host name.
        checkServerIdentity: () => undefined,
        headers: { host: 'reviews:9080', ...headers },
      });
      return replyTo(req, started, 5000, `no answer to ${p}`);
    },
    async apply(file, yaml, marker) {
      writeAtomically(path.join(base.dir, file), yaml);
      await eventually(`config holding '${marker}'`, async () => (await adminGet(server, '/config_dump')).body.includes(marker), 8000);
    },
  };
}
