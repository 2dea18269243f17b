/**
 * End-to-end harness of the proxy: a control plane in this process (serving a
 * temp dir of Istio YAML), `startProxy` in this process, and small HTTP
 * upstreams on 127.0.77.x answering with their own identity.
 */
import * as fs from 'fs';
import { ControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime } from '../../runtime/proxy/data-plane';
import type { AdsProtocol } from '../../runtime/proxy/xds-client';
import { tempDir, writeConfigFiles } from '../support/config-dir';
import { admin, Reply, request } from '../support/http-client';
import { HTTP_9080, kubeServiceYaml, sidecarResourceYaml, workloadEntryYaml } from '../support/mesh-yaml';
import { sidecarNodeId, startTestPlane, startTestProxy, waitForReady } from '../support/mesh-under-test';

export { tempDir, writeAtomically } from '../support/config-dir';
export { admin, Reply, request } from '../support/http-client';
export { startUpstream, Upstream } from '../support/local-upstreams';
export { waitForReady } from '../support/mesh-under-test';
export { eventually } from '../support/wait-for';

/** A Service on port 9080 and one WorkloadEntry per upstream (labels app=<service>, version=<upstream name>). */
export function serviceYaml(service: string, upstreams: readonly { name: string; address: string; port: number }[]): string {
  return kubeServiceYaml(service, [{ name: 'http', port: 9080 }])
    + upstreams.map((u) => workloadEntryYaml({ name: `${service}-${u.name}`, address: u.address, ports: { http: u.port }, labels: { app: service, version: u.name } })).join('');
}

/** The client's Sidecar: one egress listener on `bind`:9080 without capture. */
export function sidecarYaml(bind: string): string {
  return sidecarResourceYaml('client', { egress: [{ port: HTTP_9080, bind, hosts: ['./*'] }] });
}

/** The value of `istio_requests_total` series whose labels include every `label="value"` given (summed). */
export function requestsTotal(prometheus: string, labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const line of prometheus.split('\n')) {
    if (!line.startsWith('istio_requests_total{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface Mesh {
  readonly dir: string;
  readonly plane: ControlPlane;
  readonly proxy: ProxyRuntime;
  readonly accessLog: string[];
  /** The egress listener's address. */
  readonly bind: string;
  get(path: string, headers?: Record<string, string>, deadlineMs?: number): Promise<Reply>;
  adminGet(path: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/**
 * Starts the control plane on `files` (name → YAML) and a proxy for the client
 * sidecar on `bind`:9080 (over `xdsProtocol`, state of the world by default); waits for /ready.
 */
export async function startMesh(files: Readonly<Record<string, string>>, bind: string, clientIp: string, xdsProtocol?: AdsProtocol): Promise<Mesh> {
  const dir = tempDir('proxy-e2e');
  writeConfigFiles(dir, files);
  let plane: ControlPlane | undefined;
  let proxy: ProxyRuntime | undefined;
  const accessLog: string[] = [];
  const close = async (): Promise<void> => {
    await proxy?.close();
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    plane = await startTestPlane(dir, { debounceMs: 20, settleMs: 50 });
    proxy = await startTestProxy(plane, {
      node: { nodeId: sidecarNodeId(clientIp, 'client-0'), labels: { app: 'client', version: 'v1' }, interceptionMode: 'NONE' },
      accessLog: (text) => accessLog.push(...text.split('\n').filter((l) => l !== '')),
      batchAccessLog: false,
      drainTimeoutMs: 1000,
      ...(xdsProtocol !== undefined ? { xdsProtocol } : {}),
    });
    await waitForReady(proxy.adminPort);
  } catch (e) {
    await close();
    throw e;
  }
  const adminPort = proxy.adminPort;
  return {
    dir, plane, proxy, accessLog, bind,
    get: (p, headers, deadlineMs) => request(bind, 9080, p, headers, deadlineMs),
    adminGet: (p) => admin(adminPort, p),
    close,
  };
}
