/** bookinfo's details service: `GET /details/<id>` answers the book's bibliographic facts. */
import { methodNotAllowed, notFound, requestUrl, sendJson } from './http-util';
import { productIdFrom } from './product-id';
import { SampleApp, SampleDefinition } from './sample-app';

/** What details answers for a book. */
export interface BookDetails {
  readonly id: number;
  readonly author: string;
  readonly year: number;
  readonly type: string;
  readonly pages: number;
  readonly publisher: string;
  readonly language: string;
  readonly 'ISBN-10': string;
  readonly 'ISBN-13': string;
}

export function bookDetails(id: number): BookDetails {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

export const DETAILS: SampleDefinition = {
  name: 'details',
  defaultPort: 9080,
  versions: ['v1'],
  create({ version }): SampleApp {
    const versionHeader = { 'x-bookinfo-version': version };
    return {
      handle(request, response) {
        const path = requestUrl(request).pathname;
        if (path === '/health') return sendJson(response, 200, { status: 'Details is healthy' }, versionHeader);
        const id = productIdFrom(path, '/details/');
        if (id === undefined) return notFound(response);
        if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
        return sendJson(response, 200, bookDetails(id), versionHeader);
      },
    };
  },
};
