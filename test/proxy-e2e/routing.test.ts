/**
 * The proxy end to end, routing: a control plane serving Istio YAML from a temp
 * dir, the proxy's Sidecar egress listener on 127.0.77.1:9080 (captureMode NONE),
 * and upstreams on 127.0.77.x answering with their own name.
 */
import * as path from 'path';
import { versionSubsetsYaml } from '../support/mesh-yaml';
import { waitFor } from '../support/wait-for';
import { Mesh, serviceYaml, sidecarYaml, startMesh, startUpstream, Upstream, writeAtomically, requestsTotal } from './harness';

const BIND = '127.0.77.1';
const CLIENT = '127.0.77.2';

const REVIEWS_VS = `${versionSubsetsYaml('reviews', ['v1', 'v2', 'v3'])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
  - match: [{ uri: { prefix: /redirect } }]
    redirect: { uri: /moved, authority: elsewhere.example }
  - match: [{ uri: { prefix: /direct } }]
    directResponse: { status: 202, body: { string: "answered by the proxy" } }
  - match: [{ uri: { prefix: /fault-delay }, headers: { end-user: { exact: jason } } }]
    fault: { delay: { fixedDelay: 400ms, percentage: { value: 100 } } }
    route: [{ destination: { host: reviews, subset: v1 } }]
  - match: [{ uri: { prefix: /fault-abort } }]
    fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }
    route: [{ destination: { host: reviews, subset: v1 } }]
  - match: [{ uri: { prefix: /headers } }]
    headers:
      request: { add: { x-added: "yes" }, remove: [x-remove-me] }
      response: { add: { x-resp-added: "yes" }, remove: [x-upstream-secret] }
    route: [{ destination: { host: reviews, subset: v1 } }]
  - match: [{ uri: { prefix: /mirror } }]
    route: [{ destination: { host: reviews, subset: v1 } }]
    mirror: { host: shadow }
    mirrorPercentage: { value: 100 }
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - route:
    - { destination: { host: reviews, subset: v1 }, weight: 50 }
    - { destination: { host: reviews, subset: v3 }, weight: 50 }
`;

const ratingsVs = (subset: string): string => `${versionSubsetsYaml('ratings', ['v1', 'v2'])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: default }
spec:
  hosts: [ratings]
  http:
  - route: [{ destination: { host: ratings, subset: ${subset} } }]
`;

describe('proxy routing through a Sidecar egress listener', () => {
  const upstreams: Upstream[] = [];
  let mesh: Mesh | undefined;
  let shadow: Upstream;
  let ratings1: Upstream;
  let ratings2: Upstream;

  beforeAll(async () => {
    const [v1, v2, v3] = await Promise.all([startUpstream('v1', '127.0.77.11'), startUpstream('v2', '127.0.77.12'), startUpstream('v3', '127.0.77.13')]);
    shadow = await startUpstream('shadow', '127.0.77.14');
    ratings1 = await startUpstream('v1', '127.0.77.15');
    ratings2 = await startUpstream('v2', '127.0.77.16');
    upstreams.push(v1 as Upstream, v2 as Upstream, v3 as Upstream, shadow, ratings1, ratings2);
    mesh = await startMesh({
      'services.yaml': serviceYaml('reviews', [v1 as Upstream, v2 as Upstream, v3 as Upstream]) + serviceYaml('shadow', [shadow]) + serviceYaml('ratings', [ratings1, ratings2]),
      'sidecar.yaml': sidecarYaml(BIND),
      'reviews.yaml': REVIEWS_VS,
      'ratings.yaml': ratingsVs('v1'),
    }, BIND, CLIENT);
  }, 30_000);

  afterAll(async () => {
    await mesh?.close();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  test('end-user: jason goes to v2', async () => {
    for (let i = 0; i < 20; i++) expect((await mesh!.get('/reviews/1', { 'end-user': 'jason' })).upstream).toBe('v2');
  });

  test('a 50/50 split between v1 and v3 holds within a binomial tolerance over 200 requests', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const r = await mesh!.get('/reviews/1');
      counts[r.upstream] = (counts[r.upstream] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v3']);
    // n = 200, p = 0.5: sd ~7.1; 5 sd either side.
    expect(counts.v1).toBeGreaterThanOrEqual(65);
    expect(counts.v1).toBeLessThanOrEqual(135);
  });

  test('a fault delay applies to jason only', async () => {
    const delayed = await mesh!.get('/fault-delay', { 'end-user': 'jason' });
    expect(delayed.status).toBe(200);
    expect(delayed.ms).toBeGreaterThanOrEqual(390);
    const other = await mesh!.get('/fault-delay');
    expect(other.status).toBe(200);
    expect(other.ms).toBeLessThan(390);
    expect(mesh!.accessLog.some((l) => l.includes('"GET /fault-delay HTTP/1.1" 200 DI '))).toBe(true);
  });

  test('a fault abort answers 418 with flag FI in the metrics and the access log', async () => {
    const r = await mesh!.get('/fault-abort');
    expect(r.status).toBe(418);
    expect(r.upstream).toBe('');
    const prom = (await mesh!.adminGet('/stats/prometheus')).body;
    expect(requestsTotal(prom, { reporter: 'source', response_code: '418', response_flags: 'FI' })).toBeGreaterThanOrEqual(1);
    expect(mesh!.accessLog.some((l) => l.includes('"GET /fault-abort HTTP/1.1" 418 FI '))).toBe(true);
  });

  test('a redirect answers 301 with the new location', async () => {
    const r = await mesh!.get('/redirect/here');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('http://elsewhere.example/moved');
  });

  test('a direct response answers from the proxy', async () => {
    const r = await mesh!.get('/direct');
    expect(r.status).toBe(202);
    expect(r.body).toBe('answered by the proxy');
  });

  test('request and response headers are added and removed', async () => {
    const r = await mesh!.get('/headers', { 'x-remove-me': '1', 'x-keep-me': '1' });
    const seen = JSON.parse(r.body) as { headers: Record<string, string> };
    expect(seen.headers['x-added']).toBe('yes');
    expect(seen.headers['x-remove-me']).toBeUndefined();
    expect(seen.headers['x-keep-me']).toBe('1');
    expect(r.headers['x-resp-added']).toBe('yes');
    expect(r.headers['x-upstream-secret']).toBeUndefined();
    expect(r.headers['x-upstream']).toBe('v1');
  });

  test('x-request-id is generated, propagated upstream and logged', async () => {
    const r = await mesh!.get('/reviews/2', { 'end-user': 'jason' });
    const seen = JSON.parse(r.body) as { headers: Record<string, string> };
    const id = seen.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{16,}$/);
    expect(mesh!.accessLog.some((l) => l.includes(`"${id}"`) && l.includes('127.0.77.12:'))).toBe(true);
    const given = await mesh!.get('/reviews/2', { 'end-user': 'jason', 'x-request-id': 'my-id-1' });
    expect((JSON.parse(given.body) as { headers: Record<string, string> }).headers['x-request-id']).toBe('my-id-1');
  });

  test('a mirror reaches the mirror upstream with a -shadow host and does not change the response', async () => {
    const before = shadow.seen.length;
    const r = await mesh!.get('/mirror/1');
    expect(r.status).toBe(200);
    expect(r.upstream).toBe('v1');
    await waitFor(() => shadow.seen.length > before, 5000, 'the mirrored request');
    expect(shadow.seen[shadow.seen.length - 1]?.headers.host).toBe('reviews-shadow:9080');
    shadow.failWith = 500;
    try {
      const again = await mesh!.get('/mirror/2');
      expect(again.status).toBe(200);
      expect(again.upstream).toBe('v1');
    } finally {
      shadow.failWith = 0;
    }
  });

  test('an edit of the VirtualService reroutes without failing requests in flight', async () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    let stop = false;
    const loop = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        try {
          const r = await mesh!.get('/r', { host: 'ratings:9080' });
          if (r.status !== 200) failures.push(`${r.status} ${r.body}`);
          seen.add(r.upstream);
        } catch (e) {
          failures.push(String(e));
        }
      }
    })();
    await waitFor(() => seen.has('v1'), 5000, 'requests flowing to v1');
    writeAtomically(path.join(mesh!.dir, 'ratings.yaml'), ratingsVs('v2'));
    await waitFor(() => seen.has('v2'), 5000, 'requests rerouted to v2');
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    const after = await mesh!.get('/r', { host: 'ratings:9080' });
    expect(after.upstream).toBe('v2');
  });
});
