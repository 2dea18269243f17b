/**
 * bookinfo's productpage: the page users open. It asks details for the book's
 * facts and reviews for the reviews (and, through reviews v2/v3, the stars),
 * forwarding the trace headers and the signed-in user as `end-user`.
 *
 * Like the original sample it gives each call 3 s and retries once, so a 7 s
 * delay behind reviews shows "reviews unavailable" after about 6 s.
 */
import { IncomingMessage, ServerResponse } from 'http';
import { BookDetails } from './details';
import { MeshCallError, MeshClient, MeshResponse } from './mesh-client';
import { methodNotAllowed, notFound, readBody, requestUrl, sendJson, sendText } from './http-util';
import { productIdFrom } from './product-id';
import {
  BOOKINFO_CSS, DETAILS_UNAVAILABLE, Product, renderIndex, renderProductPage, REVIEWS_UNAVAILABLE,
} from './productpage-html';
import { propagatedHeaders } from './propagation';
import { ProductReviews } from './reviews';
import { SampleApp, SampleDefinition } from './sample-app';
import { readCount, readMilliseconds, SampleEnv, serviceUrl } from './sample-env';

/** Settings of productpage's outgoing calls, read from its environment. */
export const PRODUCTPAGE_ENV = {
  detailsTimeoutMs: 'BOOKINFO_DETAILS_TIMEOUT_MS',
  detailsRetries: 'BOOKINFO_DETAILS_RETRIES',
  reviewsTimeoutMs: 'BOOKINFO_REVIEWS_TIMEOUT_MS',
  reviewsRetries: 'BOOKINFO_REVIEWS_RETRIES',
} as const;
/** The original sample's client behaviour: 3 s per call, one retry. */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;
export const DEFAULT_CALL_RETRIES = 1;
/** The cookie that holds the signed-in user. */
export const USER_COOKIE = 'user';

export const PRODUCTS: readonly Product[] = [{
  id: 0,
  title: 'The Comedy of Errors',
  descriptionHtml: 'An early comedy by <b>William Shakespeare</b>: two sets of twins separated at birth '
    + 'turn up in the same city on the same day, and everyone mistakes everyone else.',
}];

interface CallPolicy { readonly timeoutMs: number; readonly retries: number }

function policyOf(env: SampleEnv, timeoutName: string, retriesName: string): CallPolicy {
  return {
    timeoutMs: readMilliseconds(env, timeoutName, DEFAULT_CALL_TIMEOUT_MS),
    retries: readCount(env, retriesName, DEFAULT_CALL_RETRIES),
  };
}

/** The `user` cookie's value, if any. */
export function userFromCookies(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== USER_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as sent
    }
    const clean = cleanUser(value);
    return clean || undefined;
  }
  return undefined;
}

/** Keeps a user name fit for a header value: printable ASCII, trimmed, at most 64 characters. */
function cleanUser(raw: string): string {
  return raw.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 64);
}

function redirect(response: ServerResponse, location: string, cookie: string): void {
  response.writeHead(302, { location, 'set-cookie': cookie, 'content-length': 0 });
  response.end();
}

export const PRODUCTPAGE: SampleDefinition = {
  name: 'productpage',
  defaultPort: 9080,
  versions: ['v1'],
  create({ env }): SampleApp {
    const details = serviceUrl(env, 'details');
    const reviews = serviceUrl(env, 'reviews');
    const ratings = serviceUrl(env, 'ratings');
    const detailsPolicy = policyOf(env, PRODUCTPAGE_ENV.detailsTimeoutMs, PRODUCTPAGE_ENV.detailsRetries);
    const reviewsPolicy = policyOf(env, PRODUCTPAGE_ENV.reviewsTimeoutMs, PRODUCTPAGE_ENV.reviewsRetries);
    const ratingsPolicy: CallPolicy = { timeoutMs: DEFAULT_CALL_TIMEOUT_MS, retries: 0 };
    const client = MeshClient.fromEnv(env);

    /** The first 200 answer within the attempts, else the last answer (or undefined when none came). */
    const callWithRetry = async (url: string, headers: Record<string, string>, policy: CallPolicy, signal: AbortSignal): Promise<MeshResponse | undefined> => {
      let last: MeshResponse | undefined;
      for (let attempt = 0; attempt <= policy.retries && !signal.aborted; attempt++) {
        try {
          last = await client.call(url, { headers, timeoutMs: policy.timeoutMs, signal });
          if (last.status === 200) return last;
        } catch (e) {
          if (e instanceof MeshCallError && e.failure === 'aborted') return undefined;
          last = undefined;
        }
      }
      return last;
    };

    const forwardHeaders = (request: IncomingMessage): Record<string, string> => {
      const headers = propagatedHeaders(request);
      const user = userFromCookies(request);
      if (user) headers['end-user'] = user;
      return headers;
    };

    const parsed = <T>(answer: MeshResponse | undefined): T | undefined => {
      if (answer?.status !== 200) return undefined;
      try {
        return JSON.parse(answer.body) as T;
      } catch {
        return undefined;
      }
    };

    /** Answers an API call with what the service answered, or 503 with `error`. */
    const relay = (response: ServerResponse, answer: MeshResponse | undefined, error: string): void => {
      const value = parsed<unknown>(answer);
      if (value !== undefined) return sendJson(response, 200, value);
      return sendJson(response, answer && answer.status >= 400 ? answer.status : 503, { error });
    };

    const productPage = async (request: IncomingMessage, response: ServerResponse, signal: AbortSignal): Promise<void> => {
      const product = PRODUCTS[0];
      const headers = forwardHeaders(request);
      const [detailsAnswer, reviewsAnswer] = await Promise.all([
        callWithRetry(`${details}/details/${product.id}`, headers, detailsPolicy, signal),
        callWithRetry(`${reviews}/reviews/${product.id}`, headers, reviewsPolicy, signal),
      ]);
      const versionHeader = reviewsAnswer?.headers['x-bookinfo-version'];
      const html = renderProductPage({
        product,
        user: userFromCookies(request),
        details: parsed<BookDetails>(detailsAnswer),
        reviews: parsed<ProductReviews>(reviewsAnswer),
        reviewsVersion: typeof versionHeader === 'string' ? versionHeader : undefined,
      });
      sendText(response, 200, html, 'text/html; charset=utf-8');
    };

    const login = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const form = new URLSearchParams(await readBody(request));
      const user = cleanUser(form.get('username') ?? '');
      if (!user) return redirect(response, '/productpage', `${USER_COOKIE}=; Path=/; Max-Age=0`);
      return redirect(response, '/productpage', `${USER_COOKIE}=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Lax`);
    };

    return {
      async handle(request, response, signal) {
        const path = requestUrl(request).pathname;
        const method = request.method ?? 'GET';
        if (path === '/login') {
          return method === 'POST' ? login(request, response) : methodNotAllowed(response, 'POST');
        }
        if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET');
        switch (path) {
          case '/': case '/index.html':
            return sendText(response, 200, renderIndex(), 'text/html; charset=utf-8');
          case '/health':
            return sendJson(response, 200, { status: 'Productpage is healthy' });
          case '/productpage':
            return productPage(request, response, signal);
          case '/logout':
            return redirect(response, '/productpage', `${USER_COOKIE}=; Path=/; Max-Age=0`);
          case '/static/bookinfo.css':
            return sendText(response, 200, BOOKINFO_CSS, 'text/css; charset=utf-8', { 'cache-control': 'max-age=300' });
          case '/api/v1/products':
            return sendJson(response, 200, PRODUCTS);
        }
        const api = /^\/api\/v1\/products\/(\d{1,9})(\/reviews|\/ratings)?$/.exec(path);
        if (!api) return notFound(response);
        const id = productIdFrom(`/${api[1]}`, '/')!;
        const headers = forwardHeaders(request);
        switch (api[2]) {
          case '/reviews':
            return relay(response, await callWithRetry(`${reviews}/reviews/${id}`, headers, reviewsPolicy, signal), REVIEWS_UNAVAILABLE);
          case '/ratings':
            return relay(response, await callWithRetry(`${ratings}/ratings/${id}`, headers, ratingsPolicy, signal), 'Sorry, product ratings are currently unavailable for this book.');
          default:
            return relay(response, await callWithRetry(`${details}/details/${id}`, headers, detailsPolicy, signal), DETAILS_UNAVAILABLE);
        }
      },
      close() {
        client.close();
      },
    };
  },
};
