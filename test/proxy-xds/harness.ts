/** A real ADS server (our control plane) on loopback, and proxy clients pointed at it; everything is closed by `stopAll`. */
import * as net from 'net';
import { Snapshot, SnapshotCache } from '../../runtime/xds/cache';
import { PlainMessage } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { createXdsServer, XdsServer } from '../../runtime/xds/server';
import { ProxyConfigSnapshot, XdsTypeName } from '../../runtime/proxy/config';
import { buildProxyNode, ProxyNode } from '../../runtime/proxy/node';
import { AdsClient, AdsClientProps } from '../../runtime/proxy/xds-client';
import { waitFor } from '../support/wait-for';
import { listener9080, NODE_ID, passthroughCluster, reviewsCluster, reviewsEndpoints, routeConfig9080 } from '../xds/fixtures';

export { NODE_ID };

export interface ControlPlane {
  readonly server: XdsServer;
  readonly cache: SnapshotCache;
  readonly port: number;
}

const servers = new Set<XdsServer>();
const clients = new Set<AdsClient>();

/** Starts an ADS server on 127.0.0.1 (port 0: any free one). */
export async function startControlPlane(port = 0, cache = new SnapshotCache()): Promise<ControlPlane> {
  const server = createXdsServer({ cache });
  servers.add(server);
  const bound = await server.listen('127.0.0.1', port);
  return { server, cache, port: bound };
}

export async function stopControlPlane(cp: ControlPlane): Promise<void> {
  servers.delete(cp.server);
  await cp.server.close();
}

export function testNode(): ProxyNode {
  return buildProxyNode({ nodeId: NODE_ID, labels: 'app=productpage,version=v1', interceptionMode: 'NONE' });
}

/** A started client with fast timers. */
export function startClient(port: number, props: Partial<AdsClientProps> = {}): AdsClient {
  const client = new AdsClient({
    server: `127.0.0.1:${port}`,
    node: testNode(),
    initialFetchTimeoutMs: 10_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...props,
  });
  clients.add(client);
  client.start();
  return client;
}

export async function stopAll(): Promise<void> {
  for (const client of clients) client.close();
  clients.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
}

/** A free port on 127.0.0.1 that nothing listens on (found by binding port 0 and closing). */
export async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

export interface BookinfoResources {
  readonly listeners?: readonly PlainMessage[];
  readonly routes?: readonly PlainMessage[];
  readonly clusters?: readonly PlainMessage[];
  readonly endpoints?: readonly PlainMessage[];
}

/** The bookinfo snapshot of test/xds/fixtures with any part replaced (allowInconsistent to omit RDS/EDS). */
export function snapshotOf(r: BookinfoResources = {}): Snapshot {
  return Snapshot.create({
    resources: {
      [TypeUrl.Listener]: r.listeners ?? [listener9080()],
      [TypeUrl.RouteConfiguration]: r.routes ?? [routeConfig9080()],
      [TypeUrl.Cluster]: r.clusters ?? [reviewsCluster(), passthroughCluster()],
      [TypeUrl.ClusterLoadAssignment]: r.endpoints ?? [reviewsEndpoints()],
    },
  });
}

/** Records every snapshot replacement of a client. */
export function recordUpdates(client: AdsClient): Array<{ prev: ProxyConfigSnapshot; next: ProxyConfigSnapshot; changed: readonly XdsTypeName[] }> {
  const updates: Array<{ prev: ProxyConfigSnapshot; next: ProxyConfigSnapshot; changed: readonly XdsTypeName[] }> = [];
  client.store.onUpdate((prev, next, changed) => updates.push({ prev, next, changed }));
  return updates;
}

/** The server's sync status of one type for the test node's (single) stream. */
export function typeStatus(cp: ControlPlane, typeUrl: string) {
  return cp.server.status.streamsOf(NODE_ID)[0]?.types.find((t) => t.typeUrl === typeUrl);
}

/**
 * Stops `first` and waits until `client` notices, runs `whileDown`, then starts
 * a control plane on the same port holding `snapshot` for the test node.
 */
export async function restartControlPlane(first: ControlPlane, client: AdsClient, snapshot: Snapshot, whileDown: () => void = () => undefined): Promise<ControlPlane> {
  let disconnected = false;
  const unsubscribe = client.on('disconnected', () => (disconnected = true));
  await stopControlPlane(first);
  await waitFor(() => disconnected, 5000, 'disconnect noticed');
  unsubscribe();
  whileDown();
  const second = await startControlPlane(first.port);
  second.cache.setSnapshot(NODE_ID, snapshot);
  return second;
}
