/**
 * The sample services meshform runs for the bookinfo walkthrough
 * (`meshform sample <name>`): small node:http programs with no mesh logic,
 * calling each other by mesh name through `MESH_PROXY` when it is set.
 */
import { DETAILS } from './details';
import { HTTPBIN } from './httpbin';
import { PRODUCTPAGE } from './productpage';
import { RATINGS } from './ratings';
import { REVIEWS } from './reviews';
import { SampleDefinition } from './sample-app';

export { MeshCallError, MeshClient } from './mesh-client';
export type { MeshCallFailure, MeshCallOptions, MeshClientProps, MeshResponse } from './mesh-client';
export { formatListenAddress, parseListenAddress } from './listen-address';
export type { ListenAddress } from './listen-address';
export { PROPAGATED_HEADERS, propagatedHeaders } from './propagation';
export { startSample, sampleLabel } from './sample-server';
export type { RunningSample, StartSampleOptions } from './sample-server';
export type { SampleApp, SampleDefinition, SampleOptions } from './sample-app';
export { MESH_PROXY } from './sample-env';
export type { SampleEnv } from './sample-env';
export { DETAILS, HTTPBIN, PRODUCTPAGE, RATINGS, REVIEWS };
export { DETAILS_UNAVAILABLE, REVIEWS_UNAVAILABLE } from './productpage-html';
export { PRODUCTPAGE_ENV, DEFAULT_CALL_RETRIES, DEFAULT_CALL_TIMEOUT_MS, USER_COOKIE } from './productpage';
export { RATINGS_TIMEOUT_ENV, DEFAULT_RATINGS_TIMEOUT_MS, RATINGS_UNAVAILABLE } from './reviews';

/** Every sample, by the name `meshform sample <name>` takes. */
export const SAMPLES: Readonly<Record<string, SampleDefinition>> = {
  productpage: PRODUCTPAGE,
  details: DETAILS,
  reviews: REVIEWS,
  ratings: RATINGS,
  httpbin: HTTPBIN,
};

/** The sample called `name`, or undefined. */
export function findSample(name: string): SampleDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(SAMPLES, name) ? SAMPLES[name] : undefined;
}
