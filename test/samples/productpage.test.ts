/**
 * productpage end to end on loopback: details and reviews behind a Host-routing
 * forwarder standing in for the sidecar (MESH_PROXY), as `meshform up` runs them.
 */
import { DETAILS, PRODUCTPAGE, RATINGS, REVIEWS, REVIEWS_UNAVAILABLE, DETAILS_UNAVAILABLE } from '../../runtime/samples';
import { closeAll, HostRouter, json, runSample, send, startHostRouter } from './sample-support';

afterEach(closeAll);

/** productpage, details, ratings and reviews `version`, all calling through one forwarder. */
async function bookinfo(version: string, productpageEnv: Record<string, string> = {}) {
  const router = await startHostRouter();
  const env = { MESH_PROXY: router.url };
  const details = await runSample(DETAILS, 'v1', env);
  const ratings = await runSample(RATINGS, 'v1', env);
  const reviews = await runSample(REVIEWS, version, env);
  const productpage = await runSample(PRODUCTPAGE, 'v1', { ...env, ...productpageEnv });
  router.routes.set('details:9080', details.url);
  router.routes.set('ratings:9080', ratings.url);
  router.routes.set('reviews:9080', reviews.url);
  return { router, productpage, reviews };
}

function seenBy(router: HostRouter, host: string) {
  return router.seen.filter((s) => s.host === host);
}

describe('productpage', () => {
  test('v1: renders the details and the reviews without stars', async () => {
    const { productpage, router } = await bookinfo('v1');
    const page = await send(`${productpage.url}/productpage`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('The Comedy of Errors');
    expect(page.body).toContain('William Shakespeare');
    expect(page.body).toContain('1234567890');
    expect(page.body).toContain('Reviewer1');
    expect(page.body).toContain('data-reviews-version="v1"');
    expect(page.body).toContain('reviews-v1');
    expect(page.body).not.toContain('class="stars"');
    // The calls went through the forwarder, in origin form, by Host.
    expect(seenBy(router, 'details:9080').map((s) => s.path)).toEqual(['/details/0']);
    expect(seenBy(router, 'reviews:9080').map((s) => s.path)).toEqual(['/reviews/0']);
    expect(seenBy(router, 'ratings:9080')).toHaveLength(0);
  });

  test.each([['v2', 'black'], ['v3', 'red']])('%s: stars from ratings in %s', async (version, color) => {
    const { productpage, router } = await bookinfo(version);
    const page = await send(`${productpage.url}/productpage`);
    expect(page.body).toContain(`data-reviews-version="${version}"`);
    expect(page.body).toContain(`<span class="stars" data-stars="5" data-color="${color}"`);
    expect(page.body).toContain(`<span class="stars" data-stars="4" data-color="${color}"`);
    expect(page.body).toContain('★★★★☆');
    expect(seenBy(router, 'ratings:9080').map((s) => s.path)).toEqual(['/ratings/0']);
  });

  test('login sets the user cookie; the user reaches reviews and ratings as end-user; logout clears it', async () => {
    const { productpage, router } = await bookinfo('v2');
    const login = await send(`${productpage.url}/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=jason&passwd=x',
    });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/productpage');
    const cookie = login.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^user=jason;/);

    const page = await send(`${productpage.url}/productpage`, { headers: { cookie: 'user=jason' } });
    expect(page.body).toContain('Signed in as <b class="user">jason</b>');
    for (const host of ['details:9080', 'reviews:9080', 'ratings:9080']) {
      expect(seenBy(router, host).map((s) => s.headers['end-user'])).toEqual(['jason']);
    }

    const logout = await send(`${productpage.url}/logout`, { headers: { cookie: 'user=jason' } });
    expect(logout.status).toBe(302);
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^user=; .*Max-Age=0/);
    const anonymous = await send(`${productpage.url}/productpage`);
    expect(anonymous.body).toContain('name="username"');
    expect(seenBy(router, 'reviews:9080')[1].headers['end-user']).toBeUndefined();
  });

  test('propagates x-request-id, traceparent and b3 headers to details, reviews and on to ratings', async () => {
    const { productpage, router } = await bookinfo('v3');
    const trace = {
      'x-request-id': 'req-42',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=1',
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      'x-b3-spanid': '00f067aa0ba902b7',
      'x-b3-sampled': '1',
    };
    await send(`${productpage.url}/productpage`, { headers: { ...trace, 'x-not-propagated': 'no' } });
    for (const host of ['details:9080', 'reviews:9080', 'ratings:9080']) {
      const [call] = seenBy(router, host);
      for (const [name, value] of Object.entries(trace)) expect([host, name, call.headers[name]]).toEqual([host, name, value]);
      expect(call.headers['x-not-propagated']).toBeUndefined();
    }
  });

  test('details and reviews answering errors (no route) show the sorry messages after one retry each', async () => {
    const router = await startHostRouter();
    const productpage = await runSample(PRODUCTPAGE, 'v1', { MESH_PROXY: router.url, BOOKINFO_DETAILS_TIMEOUT_MS: '200', BOOKINFO_REVIEWS_TIMEOUT_MS: '200' });
    const page = await send(`${productpage.url}/productpage`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(DETAILS_UNAVAILABLE);
    expect(page.body).toContain(REVIEWS_UNAVAILABLE);
    // One retry each: two attempts per service.
    expect(seenBy(router, 'reviews:9080')).toHaveLength(2);
    expect(seenBy(router, 'details:9080')).toHaveLength(2);
  });

  test('JSON API, index, static stylesheet and health', async () => {
    const { productpage } = await bookinfo('v2');
    expect(json<unknown[]>(await send(`${productpage.url}/api/v1/products`))).toEqual([expect.objectContaining({ id: 0, title: 'The Comedy of Errors' })]);
    expect(json(await send(`${productpage.url}/api/v1/products/0`))).toMatchObject({ id: 0, author: 'William Shakespeare', year: 1595 });
    const reviews = await send(`${productpage.url}/api/v1/products/0/reviews`);
    expect(json(reviews)).toMatchObject({ id: '0', podname: 'reviews-v2', reviews: [{ reviewer: 'Reviewer1', rating: { stars: 5, color: 'black' } }, { reviewer: 'Reviewer2' }] });
    expect(json(await send(`${productpage.url}/api/v1/products/0/ratings`))).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    const index = await send(`${productpage.url}/`);
    expect(index.status).toBe(200);
    expect(index.body).toContain('href="/productpage"');
    const css = await send(`${productpage.url}/static/bookinfo.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect((await send(`${productpage.url}/static/nope.css`)).status).toBe(404);
    expect(json(await send(`${productpage.url}/health`))).toEqual({ status: 'Productpage is healthy' });
    expect((await send(`${productpage.url}/login`)).status).toBe(405);
    expect(productpage.logs.some((l) => / productpage-v1 GET \/health 200 \d+\.\dms\n$/.test(l))).toBe(true);
  });
});
