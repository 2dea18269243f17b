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
import { ControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime } from '../../runtime/proxy/data-plane';
import { tempDir, writeAtomically } from '../support/config-dir';
import { Reply, admin, replyTo } from '../support/http-client';
import { Upstream, startUpstream } from '../support/local-upstreams';
import { HTTP_9080, kubeServiceYaml, sidecarResourceYaml } from '../support/mesh-yaml';
import { sidecarNodeId, startTestPlane, startTestProxy, waitForReady } from '../support/mesh-under-test';
import { eventually } from '../support/wait-for';

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
  return kubeServiceYaml('reviews', [{ name: 'http', port: 9080 }])
    + sidecarResourceYaml('reviews', { ingress: [{ port: HTTP_9080, bind: ip, defaultEndpoint: `${upstream.address}:${upstream.port}` }] });
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
    plane = await startTestPlane(dir, { debounceMs: 10, settleMs: 30 });
    proxy = await startTestProxy(plane, {
      node: { nodeId: sidecarNodeId(ip, 'reviews-0'), labels: { app: 'reviews', version: 'v1' }, interceptionMode: 'NONE' },
      batchAccessLog: false,
      drainTimeoutMs: 500,
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
  const req = http.request({
    host: ip, port: 9080, path: pathAndQuery, method: options.method ?? 'GET', agent: false,
    headers: { host: 'reviews:9080', ...(options.headers ?? {}) },
    ...(options.from !== undefined ? { localAddress: options.from } : {}),
  });
  return replyTo(req, started, 5000, `no answer to ${pathAndQuery}`);
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
