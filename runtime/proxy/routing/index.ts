/**
 * The route stage of the proxy: a compiled {@link RouteTable} per
 * RouteConfiguration turns a {@link RouteRequest} into a {@link RouteDecision}
 * with Envoy's route semantics (virtual host by authority, first matching route,
 * forward / redirect / direct response, fault and CORS filters per route).
 */
export { RouteTable, RouteTableOptions, FAULT_FILTER_NAME, CORS_FILTER_NAME } from './route-table';
export * from './route-decision';
export { RouteRequest, FlatHeadersRequest, FlatHeadersRequestInit, pathOnly, queryParameter, cookieValue } from './route-request';
export { RandomSource, seededRandom, sample } from './random';
export { VirtualHostIndex, stripPort } from './virtual-host-index';
export { CompiledMatch, compileMatch, compileHeaderMatcher, headerMatches } from './request-matcher';
export {
  RetryOnBits, RetryCondition, RetryPlan, AttemptOutcome, parseRetryOn, backoffMs, compileRetryPolicy, retryable,
  DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS,
} from './retry';
export { HeaderOp, NO_HEADER_OPS, requestHeaderOps, responseHeaderOps, applyHeaderOps } from './header-ops';
export { rewritePrefix, rewriteRegex, redirectLocation } from './rewrite';
export { hashInputs } from './hash-inputs';
export { CompiledFault, FaultOutcome, compileFault } from './fault';
export { CompiledCors, CorsOutcome, compileCors } from './cors';
