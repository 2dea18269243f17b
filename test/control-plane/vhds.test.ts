/**
 * Virtual hosts over VHDS: an Envoy on delta ADS receives the route
 * configuration "9080" without virtual hosts (`vhds` over ADS) and each
 * virtual host as a resource `9080/<virtual host>` by subscribing to "9080";
 * a VirtualService change then moves one virtual host and no route
 * configuration. State-of-the-world proxies, and every proxy with `vhds: false`,
 * keep receiving the virtual hosts inside the route configuration.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ControlPlane, startControlPlane } from '../../runtime/control-plane';
import type { DeltaDiscoveryResponse, PlainMessage } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { versionSubsetsYaml } from '../support/mesh-yaml';
import { memoryLogger, RawAdsClient, RawDeltaAdsClient, tempDir, waitFor, writeAtomically } from './support';

const NODE_ID = 'sidecar~10.0.0.5~productpage-v1-abc.default~default.svc.cluster.local';
const METADATA = { NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' } };
const REVIEWS_HOST = '9080/reviews.default.svc.cluster.local:9080';
const RATINGS_HOST = '9080/ratings.default.svc.cluster.local:9080';

function service(name: string, ip: string, endpoint: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec:
  clusterIP: ${ip}
  selector: {app: ${name}}
  ports: [{name: http, port: 9080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-abc, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: 9080}]
endpoints:
- addresses: ["${endpoint}"]
  conditions: {ready: true}
`;
}

function reviewsRoute(subset: string): string {
  return `${versionSubsetsYaml('reviews', ['v1', 'v2'])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: ${subset}}
`;
}

/** Clusters a virtual host's routes send to. */
function clustersOf(virtualHost: PlainMessage | undefined): string[] {
  return JSON.stringify(virtualHost?.routes ?? []).match(/outbound\|9080\|[^"]*/g) ?? [];
}

describe('virtual hosts over VHDS (delta ADS)', () => {
  let dir: string;
  let plane: ControlPlane | undefined;
  const clients: { close(): void }[] = [];

  async function start(vhds?: boolean): Promise<ControlPlane> {
    dir = tempDir('vhds');
    fs.writeFileSync(path.join(dir, 'services.yaml'), `${service('reviews', '10.96.0.20', '10.0.1.1')}---\n${service('ratings', '10.96.0.21', '10.0.2.1')}`);
    fs.writeFileSync(path.join(dir, 'reviews.yaml'), reviewsRoute('v1'));
    plane = await startControlPlane({
      configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 20, logger: memoryLogger(),
      ...(vhds !== undefined ? { vhds } : {}),
    });
    return plane;
  }

  /** A delta client holding CDS, LDS and RDS "9080"; with `vhds`, subscribed to the virtual hosts of "9080". */
  async function deltaClient(xdsPort: number, vhds: boolean): Promise<{ client: RawDeltaAdsClient; route: PlainMessage }> {
    const client = new RawDeltaAdsClient(xdsPort, NODE_ID, METADATA);
    clients.push(client);
    client.subscribe(TypeUrl.Cluster);
    client.subscribe(TypeUrl.Listener);
    client.subscribe(TypeUrl.RouteConfiguration, ['9080']);
    const rds = await waitFor('RDS over delta', () => client.of(TypeUrl.RouteConfiguration)[0]);
    client.ack(rds);
    const route = RawDeltaAdsClient.resources(rds).get('9080') as PlainMessage;
    if (vhds) client.subscribe(TypeUrl.VirtualHost, ['9080']);
    return { client, route };
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await plane?.close();
    plane = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the route configuration names VHDS over ADS; subscribing to it brings its virtual hosts, each named <route configuration>/<virtual host>', async () => {
    const { xdsPort } = await start();
    const { client, route } = await deltaClient(xdsPort, true);
    expect(route.vhds).toEqual({ config_source: { ads: {}, resource_api_version: 'V3' } });
    expect(route.virtual_hosts ?? []).toEqual([]);

    const first = await waitFor('VHDS', () => client.of(TypeUrl.VirtualHost)[0]);
    const hosts = RawDeltaAdsClient.resources(first);
    expect([...hosts.keys()]).toEqual(expect.arrayContaining([REVIEWS_HOST, RATINGS_HOST]));
    expect([...hosts.keys()].every((name) => name.startsWith('9080/'))).toBe(true);
    const reviews = hosts.get(REVIEWS_HOST);
    expect(reviews?.name).toBe(REVIEWS_HOST);
    expect(reviews?.domains).toEqual(expect.arrayContaining(['reviews', 'reviews:9080', 'reviews.default.svc.cluster.local']));
    expect(clustersOf(reviews)).toEqual(['outbound|9080|v1|reviews.default.svc.cluster.local']);
  });

  test('a VirtualService change sends the one virtual host it changes, and no route configuration', async () => {
    const { xdsPort } = await start();
    const { client } = await deltaClient(xdsPort, true);
    const first = await waitFor('VHDS', () => client.of(TypeUrl.VirtualHost)[0]);
    client.ack(first);
    const routesBefore = client.of(TypeUrl.RouteConfiguration).length;

    writeAtomically(path.join(dir, 'reviews.yaml'), reviewsRoute('v2'));
    const update = await waitFor('a VHDS update', () => client.of(TypeUrl.VirtualHost)[1]);
    expect(update.resources.map((r) => r.name)).toEqual([REVIEWS_HOST]);
    expect(clustersOf(RawDeltaAdsClient.resources(update).get(REVIEWS_HOST))).toEqual(['outbound|9080|v2|reviews.default.svc.cluster.local']);
    expect(update.removed_resources).toEqual([]);
    client.ack(update);
    expect(client.of(TypeUrl.RouteConfiguration)).toHaveLength(routesBefore);
  });

  test('a removed service takes its virtual host away (removed_resources)', async () => {
    const { xdsPort } = await start();
    const { client } = await deltaClient(xdsPort, true);
    client.ack(await waitFor('VHDS', () => client.of(TypeUrl.VirtualHost)[0]));

    writeAtomically(path.join(dir, 'services.yaml'), service('reviews', '10.96.0.20', '10.0.1.1'));
    const removal = await waitFor('the ratings virtual host removed', () =>
      client.of(TypeUrl.VirtualHost).find((r: DeltaDiscoveryResponse) => r.removed_resources.includes(RATINGS_HOST)));
    expect(removal.resources.map((r) => r.name)).not.toContain(RATINGS_HOST);
  });

  test('state-of-the-world proxies keep the virtual hosts inside the route configuration', async () => {
    const { xdsPort } = await start();
    const client = new RawAdsClient(xdsPort, NODE_ID, METADATA);
    clients.push(client);
    client.subscribe(TypeUrl.Cluster);
    client.subscribe(TypeUrl.Listener);
    client.subscribe(TypeUrl.RouteConfiguration, ['9080']);
    const routes = await waitFor('RDS', () => client.latest(TypeUrl.RouteConfiguration) && client.resources(TypeUrl.RouteConfiguration));
    expect(routes[0]?.vhds).toBeUndefined();
    const names = (routes[0]?.virtual_hosts as PlainMessage[]).map((vh) => vh.name);
    expect(names).toEqual(expect.arrayContaining(['reviews.default.svc.cluster.local:9080', 'ratings.default.svc.cluster.local:9080']));
  });

  test('with vhds: false, delta proxies get the virtual hosts inside the route configuration', async () => {
    const { xdsPort } = await start(false);
    const { route } = await deltaClient(xdsPort, false);
    expect(route.vhds).toBeUndefined();
    expect((route.virtual_hosts as PlainMessage[]).map((vh) => vh.name)).toEqual(
      expect.arrayContaining(['reviews.default.svc.cluster.local:9080', 'ratings.default.svc.cluster.local:9080']));
  });
});
