/**
 * bookinfo's ratings service: `GET /ratings/<id>` answers the stars each
 * reviewer gave the book.
 */
import { notFound, methodNotAllowed, requestUrl, sendJson } from './http-util';
import { productIdFrom } from './product-id';
import { SampleApp, SampleDefinition } from './sample-app';

/** The stars of the two sample reviews. */
export const SAMPLE_RATINGS: Readonly<Record<string, number>> = { Reviewer1: 5, Reviewer2: 4 };

export const RATINGS: SampleDefinition = {
  name: 'ratings',
  defaultPort: 9080,
  versions: ['v1'],
  create({ version }): SampleApp {
    const versionHeader = { 'x-bookinfo-version': version };
    return {
      handle(request, response) {
        const path = requestUrl(request).pathname;
        if (path === '/health') return sendJson(response, 200, { status: 'Ratings is healthy' }, versionHeader);
        const id = productIdFrom(path, '/ratings/');
        if (id === undefined) return notFound(response);
        if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
        return sendJson(response, 200, { id, ratings: SAMPLE_RATINGS }, versionHeader);
      },
    };
  },
};
