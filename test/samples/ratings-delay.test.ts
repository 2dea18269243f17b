/**
 * The seed's fault-injection "bug": ratings is slow behind reviews v2, and
 * productpage's short client timeout (with one retry) gives up first, so the page
 * says reviews are unavailable. The timeouts come from the environment; the
 * tests shrink them (the defaults are the original 3 s + 1 retry and 10 s).
 */
import { PRODUCTPAGE, RATINGS_UNAVAILABLE, REVIEWS, REVIEWS_UNAVAILABLE, DETAILS } from '../../runtime/samples';
import { closeAll, runSample, send, startHostRouter, startSlowServer } from './sample-support';

afterEach(closeAll);

const SLOW_RATINGS_MS = 5000;

async function withSlowRatings(reviewsEnv: Record<string, string>, productpageEnv: Record<string, string>) {
  const router = await startHostRouter();
  const ratings = await startSlowServer(SLOW_RATINGS_MS, { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  const details = await runSample(DETAILS, 'v1', { MESH_PROXY: router.url });
  const reviews = await runSample(REVIEWS, 'v2', { MESH_PROXY: router.url, ...reviewsEnv });
  const productpage = await runSample(PRODUCTPAGE, 'v1', { MESH_PROXY: router.url, ...productpageEnv });
  router.routes.set('details:9080', details.url);
  router.routes.set('reviews:9080', reviews.url);
  router.routes.set('ratings:9080', ratings.url);
  return { router, ratings, productpage };
}

test('productpage gives up on reviews after its timeout and one retry, and says reviews are unavailable', async () => {
  const { productpage, router, ratings } = await withSlowRatings({}, { BOOKINFO_REVIEWS_TIMEOUT_MS: '200' });
  const started = Date.now();
  const page = await send(`${productpage.url}/productpage`, { headers: { cookie: 'user=jason' } });
  const took = Date.now() - started;
  expect(page.status).toBe(200);
  expect(page.body).toContain(REVIEWS_UNAVAILABLE);
  expect(page.body).toContain('William Shakespeare'); // details still answered
  expect(took).toBeGreaterThanOrEqual(400);
  expect(took).toBeLessThan(SLOW_RATINGS_MS);
  expect(router.seen.filter((s) => s.host === 'reviews:9080')).toHaveLength(2);
  expect(ratings.requests).toBe(2);
});

test('reviews v2 with a ratings timeout shorter than the delay shows "ratings unavailable" instead of stars', async () => {
  const { productpage } = await withSlowRatings({ BOOKINFO_RATINGS_TIMEOUT_MS: '150' }, {});
  const page = await send(`${productpage.url}/productpage`);
  expect(page.body).toContain('data-reviews-version="v2"');
  expect(page.body).toContain(RATINGS_UNAVAILABLE);
  expect(page.body).not.toContain('class="stars"');
});

test('invalid timeout settings fail the start with the variable named', async () => {
  await expect(runSample(PRODUCTPAGE, 'v1', { BOOKINFO_REVIEWS_TIMEOUT_MS: 'soon' })).rejects.toThrow("BOOKINFO_REVIEWS_TIMEOUT_MS: expected a whole number >= 0, got 'soon'");
  await expect(runSample(REVIEWS, 'v3', { BOOKINFO_RATINGS_TIMEOUT_MS: '0' })).rejects.toThrow('BOOKINFO_RATINGS_TIMEOUT_MS: expected milliseconds > 0');
  await expect(runSample(REVIEWS, 'v2', { MESH_PROXY: 'not a url' })).rejects.toThrow("MESH_PROXY: expected a URL like http://127.0.1.5:9080, got 'not a url'");
});
