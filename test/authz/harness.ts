/**
 * A server-side mesh for authorization tests: a control plane in this process
 * serving a temp dir, one upstream (the workload) and its sidecar proxy with
 * an inbound listener on `<ip>:9080` (Sidecar ingress, no capture) forwarding
 * to the upstream. Policies are files written into the dir; `apply` waits
 * until the proxy serves them.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { ControlPlane, SILENT, startControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime, startProxy } from '../../runtime/proxy/data-plane';
import { buildProxyNode } from '../../runtime/proxy/node';
import { Reply, Upstream, admin, eventually, startUpstream, tempDir, waitForReady, writeAtomically } from '../proxy-e2e/harness';

export interface ServerMesh {
  readonly ip: string;
  readonly upstream: Upstream;
  readonly proxy: ProxyRuntime;
  /** Writes `file` (replacing its previous content) and waits until the proxy's config holds `marker`. */
  apply(yaml: string, marker: string, file?: string): Promise<void>;
  /** A request to the inbound listener; `from` picks the client's source address. */
  call(pathAndQuery: string, options?: { method?: string; headers?: Record<string, string>; from?: string }): Promise<Reply>;
  adminGet(p: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

function baseYaml(ip: string, upstream: Upstream): string {
  return `---
apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: default }
spec:
  selector: { app: reviews }
  ports: [{ name: http, port: 9080 }]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: reviews, namespace: default }
spec:
  workloadSelector: { labels: { app: reviews } }
  ingress:
  - port: { number: 9080, protocol: HTTP, name: http }
    bind: ${ip}
    captureMode: NONE
    defaultEndpoint: ${upstream.address}:${upstream.port}
`;
}

export async function startServerMesh(ip: string, upstreamIp: string): Promise<ServerMesh> {
  const dir = tempDir('authz-e2e');
  const upstream = await startUpstream('reviews-v1', upstreamIp);
  fs.writeFileSync(path.join(dir, 'base.yaml'), baseYaml(ip, upstream));
  let plane: ControlPlane | undefined;
  let proxy: ProxyRuntime | undefined;
  const close = async (): Promise<void> => {
    await proxy?.close();
    await plane?.close();
    await upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 10, settleMs: 30, logger: SILENT });
    proxy = await startProxy({
      xdsAddress: `127.0.0.1:${plane.xdsPort}`,
      node: buildProxyNode({ nodeId: `sidecar~${ip}~reviews-0.default~default.svc.cluster.local`, labels: { app: 'reviews', version: 'v1' }, interceptionMode: 'NONE' }),
      adminPort: 0,
      batchAccessLog: false,
      drainTimeoutMs: 500,
      initialFetchTimeoutMs: 5000,
    });
    await waitForReady(proxy.adminPort);
  } catch (e) {
    await close();
    throw e;
  }
  const adminPort = proxy.adminPort;
  const adminGet = (p: string): Promise<{ status: number; body: string }> => admin(adminPort, p);
  await eventually('inbound listener', async () => (await adminGet('/config_dump')).body.includes(`${ip}_9080`));
  return {
    ip, upstream, proxy, adminGet, close,
    apply: async (yaml, marker, file = 'policies.yaml') => {
      writeAtomically(path.join(dir, file), yaml);
      await eventually(`config holding '${marker}'`, async () => (await adminGet('/config_dump')).body.includes(marker));
    },
    call: (p, options = {}) => send(ip, p, options),
  };
}

function send(ip: string, pathAndQuery: string, options: { method?: string; headers?: Record<string, string>; from?: string }): Promise<Reply> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: ip, port: 9080, path: pathAndQuery, method: options.method ?? 'GET', agent: false,
      headers: { host: 'reviews:9080', ...(options.headers ?? {}) },
      ...(options.from !== undefined ? { localAddress: options.from } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, upstream: String(res.headers['x-upstream'] ?? ''), ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${pathAndQuery}`)));
    req.on('error', reject);
    req.end();
  });
}

/** An AuthorizationPolicy document. */
export function policy(name: string, spec: string): string {
  return `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: default }
spec:
${spec.split('\n').map((l) => `  ${l}`).join('\n')}
`;
}
