/**
 * bookinfo's reviews service, in three versions: v1 answers the reviews alone,
 * v2 and v3 also ask ratings for the stars and show them black (v2) or red (v3).
 * When ratings does not answer in time, the reviews say so instead of the stars.
 */
import { MeshClient } from './mesh-client';
import { methodNotAllowed, notFound, requestUrl, sendJson } from './http-util';
import { productIdFrom } from './product-id';
import { propagatedHeaders } from './propagation';
import { SampleApp, SampleDefinition } from './sample-app';
import { readMilliseconds, serviceUrl } from './sample-env';

/** Deadline of the call to ratings; the original sample hard-codes 10 s. */
export const RATINGS_TIMEOUT_ENV = 'BOOKINFO_RATINGS_TIMEOUT_MS';
export const DEFAULT_RATINGS_TIMEOUT_MS = 10_000;
export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';

/** The stars' color each version shows; v1 shows none. */
const STAR_COLORS: Readonly<Record<string, 'black' | 'red' | undefined>> = { v1: undefined, v2: 'black', v3: 'red' };

export type ReviewRating = { readonly stars: number; readonly color: 'black' | 'red' } | { readonly error: string };

export interface Review {
  readonly reviewer: string;
  readonly text: string;
  /** Absent in v1. */
  readonly rating?: ReviewRating;
}

/** What reviews answers; `podname` and the `x-bookinfo-version` header tell which version did. */
export interface ProductReviews {
  readonly id: string;
  readonly podname: string;
  readonly clustername: string;
  readonly version: string;
  readonly reviews: readonly Review[];
}

const REVIEW_TEXTS: ReadonlyArray<{ reviewer: string; text: string }> = [
  { reviewer: 'Reviewer1', text: 'Two pairs of twins, one town, one very long day: the confusion builds scene by scene and still lands every joke.' },
  { reviewer: 'Reviewer2', text: 'Short and quick to read; the farce is broad, but the reunion at the end is unexpectedly moving.' },
];

interface RatingsAnswer { readonly ratings?: Readonly<Record<string, number>> }

export const REVIEWS: SampleDefinition = {
  name: 'reviews',
  defaultPort: 9080,
  versions: ['v1', 'v2', 'v3'],
  create({ version, env }): SampleApp {
    const color = STAR_COLORS[version];
    const ratingsTimeoutMs = readMilliseconds(env, RATINGS_TIMEOUT_ENV, DEFAULT_RATINGS_TIMEOUT_MS);
    const ratings = serviceUrl(env, 'ratings');
    const client = MeshClient.fromEnv(env);
    const podname = env.POD_NAME || `reviews-${version}`;
    const clustername = env.CLUSTER_NAME || 'local';

    const starsFor = async (id: number, headers: Record<string, string>, signal: AbortSignal): Promise<Readonly<Record<string, number>> | undefined> => {
      try {
        const answer = await client.call(`${ratings}/ratings/${id}`, { headers, timeoutMs: ratingsTimeoutMs, signal });
        if (answer.status !== 200) return undefined;
        return (JSON.parse(answer.body) as RatingsAnswer).ratings;
      } catch {
        return undefined;
      }
    };

    return {
      async handle(request, response, signal) {
        const headers = { 'x-bookinfo-version': version };
        const path = requestUrl(request).pathname;
        if (path === '/health') return sendJson(response, 200, { status: 'Reviews is healthy' }, headers);
        const id = productIdFrom(path, '/reviews/');
        if (id === undefined) return notFound(response);
        if (request.method !== 'GET') return methodNotAllowed(response, 'GET');

        const stars = color ? await starsFor(id, propagatedHeaders(request), signal) : undefined;
        const reviews: Review[] = REVIEW_TEXTS.map(({ reviewer, text }) => {
          if (!color) return { reviewer, text };
          const given = stars?.[reviewer];
          const rating: ReviewRating = typeof given === 'number' ? { stars: given, color } : { error: RATINGS_UNAVAILABLE };
          return { reviewer, text, rating };
        });
        const body: ProductReviews = { id: String(id), podname, clustername, version, reviews };
        return sendJson(response, 200, body, headers);
      },
      close() {
        client.close();
      },
    };
  },
};
