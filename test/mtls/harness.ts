/**
 * mTLS end-to-end harness: a control plane with the mesh CA, in this process;
 * two sidecars (client on 127.0.88.1, reviews on 127.0.88.2), each with a
 * bootstrap token minted by the CA's secret; the reviews app (an HTTP server
 * answering with the headers it saw) behind the reviews sidecar's inbound
 * listener 127.0.88.2:9080.
 */
import * as net from 'net';
import * as path from 'path';
import { writeAtomically } from '../support/config-dir';
import { request, Reply } from '../support/http-client';
import { HTTP_9080, kubeServiceYaml, SidecarPort, sidecarResourceYaml, workloadEntryYaml } from '../support/mesh-yaml';
import { startTwoSidecars, TwoSidecars } from '../support/two-sidecars';
import { eventually } from '../support/wait-for';

export const CLIENT_IP = '127.0.88.1';
export const SERVER_IP = '127.0.88.2';
export const TRUST_DOMAIN = 'cluster.local';
export const CLIENT_ID = `spiffe://${TRUST_DOMAIN}/ns/default/sa/client`;
export const SERVER_ID = `spiffe://${TRUST_DOMAIN}/ns/default/sa/reviews`;

/** The mesh: Service reviews backed by a sidecar workload (tlsMode istio, service account reviews), and both Sidecars. */
export function meshYaml(appPort: number, echoPort = 7): string {
  const tcpEcho: SidecarPort = { number: 9091, protocol: 'TCP', name: 'tcp-echo' };
  return kubeServiceYaml('reviews', [{ name: 'http', port: 9080 }, { name: 'tcp-echo', port: 9091 }])
    + workloadEntryYaml({ name: 'reviews-0', address: SERVER_IP, ports: { http: 9080, 'tcp-echo': 9091 }, serviceAccount: 'reviews', labels: { app: 'reviews', 'security.istio.io/tlsMode': 'istio' } })
    + sidecarResourceYaml('client', { egress: [{ port: HTTP_9080, bind: CLIENT_IP, hosts: ['./*'] }, { port: tcpEcho, bind: CLIENT_IP, hosts: ['./*'] }] })
    + sidecarResourceYaml('reviews', {
      ingress: [{ port: HTTP_9080, bind: SERVER_IP, defaultEndpoint: `${SERVER_IP}:${appPort}` }, { port: tcpEcho, bind: SERVER_IP, defaultEndpoint: `${SERVER_IP}:${echoPort}` }],
      egress: [{ hosts: ['./*'] }],
    });
}

export function peerAuthenticationYaml(mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE'): string {
  return `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: default }
spec:
  mtls: { mode: ${mode} }
`;
}

export interface MtlsMesh extends TwoSidecars {
  readonly logs: string[];
  /** Through the client sidecar (egress 127.0.88.1:9080). */
  viaMesh(p: string, headers?: Record<string, string>): Promise<Reply>;
  /** Sends `text` through the client's TCP egress 127.0.88.1:9091 (echoed by the reviews workload); resolves to what came back. */
  echo(text: string, host?: string): Promise<string>;
  /** Straight to the reviews sidecar's inbound listener, plaintext. */
  direct(p: string, headers?: Record<string, string>): Promise<Reply>;
  /** Writes a config file and waits until the reviews inbound listener serves `tlsMode` (undefined: plaintext). */
  setPeerAuthentication(mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE'): Promise<void>;
  writeConfig(name: string, yaml: string): void;
}

export const INBOUND_LISTENER = `${SERVER_IP}_9080`;

export async function startMtlsMesh(files: Readonly<Record<string, string>> = {}): Promise<MtlsMesh> {
  const logs: string[] = [];
  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, SERVER_IP, resolve));
  const echoPort = (echo.address() as net.AddressInfo).port;
  const base = await startTwoSidecars({
    name: 'mtls', clientIp: CLIENT_IP, serverIp: SERVER_IP, trustDomain: TRUST_DOMAIN, files,
    meshYaml: (app) => meshYaml(app.port, echoPort),
    plane: { debounceMs: 20, settleMs: 50 },
    proxy: (pod) => ({ logger: (level, message) => logs.push(`${pod} ${level} ${message}`) }),
    alsoClose: () => new Promise<void>((resolve) => echo.close(() => resolve())),
  });
  const s = base.server;
  return {
    ...base, logs,
    viaMesh: (p, headers) => request(CLIENT_IP, 9080, p, headers),
    direct: (p, headers) => request(SERVER_IP, 9080, p, headers),
    echo: (text, host = CLIENT_IP) => new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host, port: 9091 }, () => socket.write(text));
      let got = '';
      socket.setTimeout(3000, () => socket.destroy(new Error('echo timed out')));
      socket.on('data', (c: Buffer) => {
        got += c.toString('utf8');
        if (got.length >= text.length) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(got));
    }),
    writeConfig: (name, yaml) => writeAtomically(path.join(base.dir, name), yaml),
    async setPeerAuthentication(mode) {
      writeAtomically(path.join(base.dir, 'peer-authentication.yaml'), peerAuthenticationYaml(mode));
      const want = mode === 'DISABLE' ? undefined : mode;
      await eventually(`inbound listener in ${mode}`, async () => {
        const l = s.dataPlane?.listeners.get(INBOUND_LISTENER);
        return l !== undefined && l.tlsMode === want;
      }, 8000);
    },
  };
}
