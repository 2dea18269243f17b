/**
 * The data-plane HTTP engine, staged like linkerd2-proxy: listener → route →
 * cluster → endpoint, with plain objects between the stages.
 *
 * - Listener (`Http1Listener`): raw `net` sockets, Node's own HTTP/1 parser
 *   (`node-http-parser.ts`), keep-alive, in-order pipelining, streamed bodies,
 *   smuggling and size/time defences. It turns each request into a
 *   `RequestHead` and asks the `Router`.
 * - Route (`Router = (head: RequestHead) => RouteDecision`): forward to an
 *   `EndpointPool` (cluster/LB picked it), or answer locally / with a failure
 *   from the `FAILURES` table (`response-flags.ts`).
 * - Endpoint (`runtime/proxy/upstream`): per-endpoint keep-alive pools with the
 *   `PoolLimits` circuit-breaker seam.
 * - Observability: `ProxyStats` (typed-array counters, Prometheus text on scrape)
 *   and an `AccessLogHook` per exchange (`TextAccessLog` writes Envoy's format).
 *
 * HTTP/2 (h2c, gRPC) plugs in as another listener over `node:http2`: it builds
 * the same `RequestHead` from pseudo-headers (`httpVersion: '2'`), calls the same
 * `Router`, and drives the same pools through the `UpstreamUser` interface
 * (`onUpstreamReady`, `onResponseHead`/`Body`/`End`, `onUpstreamReset`), with
 * failures answered from the same table.
 */
export * from './access-log';
export * from './http1-listener';
export * from './listener-options';
export * from './proxy-stats';
export * from './request-head';
export * from './request-id';
export * from './response-flags';
export * from './route-decision';
export * from './text-access-log';
