/**
 * HTTP/2 upstreams: per-endpoint session pools ({@link H2EndpointPool}) that
 * stand in for the HTTP/1 `EndpointPool` behind the same `UpstreamUser`
 * interface, so the router filter's retries, outlier events and metrics apply
 * unchanged; response trailers reach users that take them (`onResponseTrailers`).
 */
export * from './chunked-decoder';
export * from './request-head-h2';
export * from './h2-stream-connection';
export * from './h2-endpoint-pool';
