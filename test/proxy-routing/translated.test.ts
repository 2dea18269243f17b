/**
 * The route stage over what the control plane sends: bookinfo translated for the
 * productpage sidecar, the `9080` RouteConfiguration decoded by the real decoder.
 */
import { seededRandom } from '../../runtime/proxy/routing';
import { bookinfoTable } from './bookinfo-fixture';
import { forward, request } from './helpers';

const REVIEWS_V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';
const REVIEWS_V2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const REVIEWS_V3 = 'outbound|9080|v3|reviews.default.svc.cluster.local';

describe('translated bookinfo routes', () => {
  const t = bookinfoTable();

  it('finds the reviews virtual host by each name Istio lists, with and without port', () => {
    for (const authority of ['reviews', 'reviews:9080', 'reviews.default', 'reviews.default.svc.cluster.local:9080', 'REVIEWS']) {
      expect(t.virtualHost(authority)?.name).toBe('reviews.default.svc.cluster.local:9080');
    }
  });

  it("sends jason to v2 with the VirtualService's delay, hashing on x-user", () => {
    const d = forward(t.route(request({ authority: 'reviews:9080', path: '/reviews/0', headers: ['end-user', 'jason', 'x-user', 'u1'] })));
    expect(d).toMatchObject({ cluster: REVIEWS_V2, route: 'jason', delayMs: 2000, hashInputs: ['u1'] });
    expect(d.abort).toBeUndefined();
  });

  it('splits everyone else 80/20 between v1 and v3, with the retry policy and no fault', () => {
    const random = seededRandom(11);
    let v1 = 0;
    const n = 10000;
    for (let i = 0; i < n; i++) {
      const d = forward(t.route(request({ authority: 'reviews', path: '/reviews/1', random })));
      if (d.cluster === REVIEWS_V1) v1++;
      else expect(d.cluster).toBe(REVIEWS_V3);
    }
    expect(Math.abs(v1 / n - 0.8)).toBeLessThan(0.02);
    const d = forward(t.route(request({ authority: 'reviews', random: () => 0.5 })));
    expect(d.retry).toMatchObject({ numRetries: 3, perTryTimeoutMs: 1000 });
    expect(d.delayMs).toBeUndefined();
  });

  it('answers the CORS preflight of the split route', () => {
    expect(t.route(request({ authority: 'reviews', method: 'OPTIONS', headers: ['origin', 'https://bookinfo.example.com', 'access-control-request-method', 'GET'] })))
      .toMatchObject({ kind: 'corsPreflight', status: 200, route: 'split' });
  });

  it('redirects, answers directly and rewrites on ratings', () => {
    expect(t.route(request({ authority: 'ratings:9080', path: '/old?x=1' }))).toMatchObject({ kind: 'redirect', status: 302, location: 'http://ratings:9080/new?x=1' });
    const health = t.route(request({ authority: 'ratings', path: '/health' }));
    expect(health.kind === 'direct' && health.body?.toString()).toBe('ok');
    expect(forward(t.route(request({ authority: 'ratings', path: '/api/stars' })))).toMatchObject({ cluster: 'outbound|9080||ratings.default.svc.cluster.local', path: '/v2/api/stars' });
  });

  it('reaches details through its default route', () => {
    expect(forward(t.route(request({ authority: 'details.default.svc.cluster.local', path: '/details/0' }))).cluster)
      .toBe('outbound|9080||details.default.svc.cluster.local');
  });
});
