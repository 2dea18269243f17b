/**
 * The two-sidecar mesh the security end-to-end tests share: a control plane
 * with the mesh CA in this process, an HTTP app (answering with the headers
 * it saw) on the server address, a reviews sidecar (service account
 * `reviews`) in front of it and a client sidecar (service account `client`),
 * each with a bootstrap token minted by the CA. Each harness writes its own
 * mesh YAML and adds its own ways of calling the mesh.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ControlPlane } from '../../runtime/control-plane';
import type { ProxyRuntime } from '../../runtime/proxy/data-plane';
import { tempDir, writeConfigFiles } from './config-dir';
import { startUpstream, Upstream } from './local-upstreams';
import {
  meshWorkloadIdentity, sidecarNodeId, startTestPlane, startTestProxy, TestPlaneOptions, TestProxyOptions, waitForReady,
} from './mesh-under-test';

export interface TwoSidecarsOptions {
  /** Prefix of the temporary config directory. */
  readonly name: string;
  readonly clientIp: string;
  readonly serverIp: string;
  readonly trustDomain: string;
  /** The mesh's YAML, given the running app. */
  readonly meshYaml: (app: Upstream) => string;
  /** More config files, by name. @default none */
  readonly files?: Readonly<Record<string, string>>;
  readonly plane: Omit<TestPlaneOptions, 'trustDomain'>;
  /** Options of each sidecar, by pod name (`client-0`, `reviews-0`). @default none */
  readonly proxy?: (pod: string) => Partial<Omit<TestProxyOptions, 'node' | 'workloadIdentity'>>;
  /** Closed with the mesh (servers the mesh YAML names), last. @default nothing */
  readonly alsoClose?: () => Promise<void>;
}

export interface TwoSidecars {
  readonly dir: string;
  readonly plane: ControlPlane;
  readonly client: ProxyRuntime;
  readonly server: ProxyRuntime;
  readonly app: Upstream;
  /** Stops everything and removes the config directory (also done when the start fails). */
  close(): Promise<void>;
}

export async function startTwoSidecars(o: TwoSidecarsOptions): Promise<TwoSidecars> {
  const dir = tempDir(o.name);
  let app: Upstream | undefined;
  let plane: ControlPlane | undefined;
  let client: ProxyRuntime | undefined;
  let server: ProxyRuntime | undefined;
  const close = async (): Promise<void> => {
    await client?.close();
    await server?.close();
    await plane?.close();
    await app?.close();
    await o.alsoClose?.();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    app = await startUpstream('reviews-app', o.serverIp);
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), o.meshYaml(app));
    writeConfigFiles(dir, o.files ?? {});
    const running = await startTestPlane(dir, { ...o.plane, trustDomain: o.trustDomain });
    plane = running;
    if (!running.ca) throw new Error('control plane started without its CA');
    const start = (ip: string, pod: string, appLabel: string, serviceAccount: string): Promise<ProxyRuntime> => startTestProxy(running, {
      drainTimeoutMs: 500,
      ...o.proxy?.(pod),
      node: { nodeId: sidecarNodeId(ip, pod), labels: { app: appLabel }, interceptionMode: 'NONE' },
      workloadIdentity: meshWorkloadIdentity(running, o.trustDomain, serviceAccount),
    });
    server = await start(o.serverIp, 'reviews-0', 'reviews', 'reviews');
    client = await start(o.clientIp, 'client-0', 'client', 'client');
    await waitForReady(server.adminPort);
    await waitForReady(client.adminPort);
    return { dir, plane: running, client, server, app, close };
  } catch (e) {
    await close();
    throw e;
  }
}
