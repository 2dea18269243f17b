/**
 * The pieces of a mesh run in this process for end-to-end tests: a control
 * plane serving a config dir on ephemeral ports, proxies attached to it, and
 * waiting until a proxy is ready.
 */
import { ControlPlane, SILENT, startControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime, ProxyRuntimeOptions, ProxyWorkloadIdentityOptions, startProxy } from '../../runtime/proxy/data-plane';
import { buildProxyNode, ProxyNodeOptions } from '../../runtime/proxy/node';
import { admin } from './http-client';

export interface TestPlaneOptions {
  readonly debounceMs: number;
  readonly settleMs: number;
  /** Runs the mesh CA for this trust domain. @default no CA */
  readonly trustDomain?: string;
}

/** A silent control plane on `dir`, xDS and monitoring on ephemeral ports of 127.0.0.1. */
export function startTestPlane(dir: string, options: TestPlaneOptions): Promise<ControlPlane> {
  return startControlPlane({
    configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: options.debounceMs, settleMs: options.settleMs, logger: SILENT,
    ...(options.trustDomain !== undefined ? { ca: { trustDomain: options.trustDomain } } : {}),
  });
}

/** The node id of a sidecar of pod `<pod>` in namespace default at `ip`. */
export function sidecarNodeId(ip: string, pod: string): string {
  return `sidecar~${ip}~${pod}.default~default.svc.cluster.local`;
}

export interface TestProxyOptions extends Omit<ProxyRuntimeOptions, 'xdsAddress' | 'node' | 'adminPort' | 'initialFetchTimeoutMs'> {
  readonly node: ProxyNodeOptions;
}

/** A proxy fed by `plane`, admin on an ephemeral port, waiting at most 5 s for its first config. */
export function startTestProxy(plane: ControlPlane, options: TestProxyOptions): Promise<ProxyRuntime> {
  const { node, ...rest } = options;
  return startProxy({ ...rest, xdsAddress: `127.0.0.1:${plane.xdsPort}`, node: buildProxyNode(node), adminPort: 0, initialFetchTimeoutMs: 5000 });
}

/** The workload identity of service account `serviceAccount` in namespace default, with a bootstrap token minted by `plane`'s CA. */
export function meshWorkloadIdentity(plane: ControlPlane, trustDomain: string, serviceAccount: string): ProxyWorkloadIdentityOptions {
  const ca = plane.ca;
  if (!ca) throw new Error('control plane started without its CA');
  const identity = { trustDomain, namespace: 'default', serviceAccount };
  return { identity, token: ca.tokens.mint(identity) };
}

/** Resolves once the admin port answers /ready with 200 (polled with a deadline). */
export async function waitForReady(adminPort: number, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await admin(adminPort, '/ready').catch(() => ({ status: 0, body: '' }));
    if (r.status === 200) return;
    if (Date.now() > end) throw new Error(`proxy not ready within ${deadlineMs} ms (last: ${r.status} ${r.body})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
