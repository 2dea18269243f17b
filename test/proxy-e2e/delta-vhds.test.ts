/**
 * The proxy on delta ADS: route configurations come with `vhds` and their
 * virtual hosts one by one over VHDS, put together before they serve. Traffic
 * follows the VirtualService, and a VirtualService edit reroutes it.
 */
import * as path from 'path';
import { versionSubsetsYaml } from '../support/mesh-yaml';
import { eventually, Mesh, serviceYaml, sidecarYaml, startMesh, startUpstream, Upstream, writeAtomically } from './harness';

const BIND = '127.0.91.1';
const CLIENT = '127.0.91.2';

const reviewsRoutes = (fallback: string): string => `${versionSubsetsYaml('reviews', ['v1', 'v2'])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - route: [{ destination: { host: reviews, subset: ${fallback} } }]
`;

describe('proxy on delta ADS with virtual hosts over VHDS', () => {
  const upstreams: Upstream[] = [];
  let mesh: Mesh | undefined;

  beforeAll(async () => {
    const v1 = await startUpstream('v1', '127.0.91.11');
    const v2 = await startUpstream('v2', '127.0.91.12');
    upstreams.push(v1, v2);
    mesh = await startMesh({
      'reviews.yaml': serviceYaml('reviews', [{ name: 'v1', address: v1.address, port: v1.port }, { name: 'v2', address: v2.address, port: v2.port }]),
      'routes.yaml': reviewsRoutes('v1'),
      'sidecar.yaml': sidecarYaml(BIND),
    }, BIND, CLIENT, 'delta');
  }, 30_000);

  afterAll(async () => {
    await mesh?.close();
    for (const u of upstreams) await u.close();
  });

  test('the route configuration holds the virtual hosts VHDS brought; the header match routes', async () => {
    const m = mesh as Mesh;
    const dump = (await m.adminGet('/config_dump')).body;
    expect(dump).toMatch(/"name":\s*"9080\/reviews\.default\.svc\.cluster\.local:9080"/);
    expect((await m.get('/reviews/1', { host: 'reviews:9080', 'end-user': 'jason' })).body).toContain('v2');
    expect((await m.get('/reviews/1', { host: 'reviews:9080' })).body).toContain('v1');
    const stream = m.plane.status.streamsOf(m.proxy.ads?.node.id ?? '')[0];
    expect(stream?.protocol).toBe('delta');
    const vhds = stream?.types.find((t) => t.typeUrl === 'type.googleapis.com/envoy.config.route.v3.VirtualHost');
    expect(vhds?.subscription.names).toContain('9080');
    expect(vhds?.ackedVersion).toBeTruthy();
  });

  test('a VirtualService edit reaches the proxy as one virtual host and reroutes', async () => {
    const m = mesh as Mesh;
    writeAtomically(path.join(m.dir, 'routes.yaml'), reviewsRoutes('v2'));
    await eventually('requests without the header go to v2', async () =>
      (await m.get('/reviews/1', { host: 'reviews:9080' })).body.includes('v2'), 8000);
    expect((await m.get('/reviews/1', { host: 'reviews:9080', 'end-user': 'jason' })).body).toContain('v2');
  });
});
