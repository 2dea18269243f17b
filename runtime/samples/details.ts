/** bookinfo's details service: `GET /details/<id>` answers the book's bibliographic facts. */
import { productLookupSample } from './product-lookup';
import { SampleDefinition } from './sample-app';

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

export const DETAILS: SampleDefinition = productLookupSample({
  name: 'details',
  healthStatus: 'Details is healthy',
  pathPrefix: '/details/',
  answer: bookDetails,
});
