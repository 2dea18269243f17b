/**
 * bookinfo's ratings service: `GET /ratings/<id>` answers the stars each
 * reviewer gave the book.
 */
import { productLookupSample } from './product-lookup';
import { SampleDefinition } from './sample-app';

/** The stars of the two sample reviews. */
export const SAMPLE_RATINGS: Readonly<Record<string, number>> = { Reviewer1: 5, Reviewer2: 4 };

export const RATINGS: SampleDefinition = productLookupSample({
  name: 'ratings',
  healthStatus: 'Ratings is healthy',
  pathPrefix: '/ratings/',
  answer: (id) => ({ id, ratings: SAMPLE_RATINGS }),
});
