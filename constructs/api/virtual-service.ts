/**
 * networking.istio.io/v1 VirtualService: how requests to a host are routed.
 * Field names and nesting follow Istio's reference (`istio.networking.v1.VirtualService`).
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, MapOf, StringMap, StringList, StringEnum, Duration, PortNumber, Percentage, ExportTo } from './common';

// ---------------------------------------------------------------------------
// Small shared messages

/** Istio's `Percent`: a percentage value 0..100 (fractions allowed), e.g. `{ value: 0.1 }`. */
export const PercentSchema = Strict({
  /** Percentage, 0..100. */
  value: Percentage({ description: 'Percentage, 0..100.' }),
});
export type Percent = Static<typeof PercentSchema>;

/** `StringMatch`: exactly one of `exact`, `prefix` or `regex` (RE2 syntax). */
export const StringMatchSchema = Type.Union(
  [
    Strict({ exact: Type.String({ description: 'Exact string match.' }) }),
    Strict({ prefix: Type.String({ description: 'Prefix-based match.' }) }),
    Strict({ regex: Type.String({ description: 'RE2 style regex-based match.' }) }),
  ],
  { description: 'Matches a string exactly, by prefix, or by RE2 regex.' },
);
export type StringMatch = Static<typeof StringMatchSchema>;

/**
 * A header/query-parameter match: a `StringMatch`, or `{}` to match the mere presence
 * (in `headers`) or absence (in `withoutHeaders`) of the header.
 */
export const HeaderMatchSchema = Type.Union([...StringMatchSchema.anyOf, Strict({})], {
  description: 'A StringMatch, or {} to test presence only.',
});
export type HeaderMatch = Static<typeof HeaderMatchSchema>;

/** `PortSelector`: a port number on the destination host. */
export const PortSelectorSchema = Strict({
  /** Port number, 1..65535. */
  number: PortNumber({ description: 'Port number.' }),
});
export type PortSelector = Static<typeof PortSelectorSchema>;

/** `Destination`: a service (and optionally subset and port) requests are forwarded to. */
export const DestinationSchema = Strict({
  /** Service registry name, e.g. `reviews` or `reviews.default.svc.cluster.local`. */
  host: Type.String({ minLength: 1, description: 'The name of a service from the service registry.' }),
  /** Name of a subset defined in the host's DestinationRule. */
  subset: Type.Optional(Type.String({ description: 'The name of a subset within the service.' })),
  /** Port on the host; needed only when the service exposes several ports. */
  port: Type.Optional(PortSelectorSchema),
});
export type Destination = Static<typeof DestinationSchema>;

/** `HeaderOperations`: set/add/remove header values. */
export const HeaderOperationsSchema = Strict({
  /** Overwrite headers with these values. */
  set: Type.Optional(StringMap()),
  /** Append these values to the headers. */
  add: Type.Optional(StringMap()),
  /** Remove these headers. */
  remove: Type.Optional(StringList()),
});
export type HeaderOperations = Static<typeof HeaderOperationsSchema>;

/** `Headers`: header manipulation on the request and the response. */
export const HeadersSchema = Strict({
  request: Type.Optional(HeaderOperationsSchema),
  response: Type.Optional(HeaderOperationsSchema),
});
export type Headers = Static<typeof HeadersSchema>;

// ---------------------------------------------------------------------------
// HTTP

/** `HTTPMatchRequest`: conditions a request must meet (all of them) to match a rule. */
export const HTTPMatchRequestSchema = Strict({
  /** Name of the match, appended to the route's name in logs. */
  name: Type.Optional(Type.String()),
  /** URI to match (path, including query string for `exact`). */
  uri: Type.Optional(StringMatchSchema),
  /** URI scheme, e.g. `{ exact: 'https' }`. */
  scheme: Type.Optional(StringMatchSchema),
  /** HTTP method, e.g. `{ exact: 'GET' }`. */
  method: Type.Optional(StringMatchSchema),
  /** HTTP authority (Host header). */
  authority: Type.Optional(StringMatchSchema),
  /** Header matches, keyed by lowercase header name; `{}` tests presence. */
  headers: Type.Optional(MapOf(HeaderMatchSchema)),
  /** Port on the host being addressed. */
  port: Type.Optional(PortNumber()),
  /** Labels of the calling workload. */
  sourceLabels: Type.Optional(StringMap()),
  /** Gateways this match applies to (overrides the VirtualService's `gateways`). */
  gateways: Type.Optional(StringList()),
  /** Query parameter matches (`exact` and `regex`). */
  queryParams: Type.Optional(MapOf(HeaderMatchSchema)),
  /** Match `uri` case-insensitively. */
  ignoreUriCase: Type.Optional(Type.Boolean()),
  /** Headers that must NOT match; `{}` tests absence. */
  withoutHeaders: Type.Optional(MapOf(HeaderMatchSchema)),
  /** Namespace of the calling workload. */
  sourceNamespace: Type.Optional(Type.String()),
  /** Prefix for stats generated for this route. */
  statPrefix: Type.Optional(Type.String()),
});
export type HTTPMatchRequest = Static<typeof HTTPMatchRequestSchema>;

/** `HTTPRouteDestination`: a weighted destination of an HTTP route. */
export const HTTPRouteDestinationSchema = Strict({
  /** Where to send the request. */
  destination: DestinationSchema,
  /** Share of traffic, 0..100; weights of one route should sum to 100. */
  weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Proportion of traffic, 0..100.' })),
  /** Header manipulation for this destination. */
  headers: Type.Optional(HeadersSchema),
});
export type HTTPRouteDestination = Static<typeof HTTPRouteDestinationSchema>;

/** `HTTPRedirect`: answer with a 3xx redirect instead of forwarding. */
export const HTTPRedirectSchema = Strict(
  {
    /** Replace the path with this value. */
    uri: Type.Optional(Type.String()),
    /** Replace the authority/Host with this value. */
    authority: Type.Optional(Type.String()),
    /** Replace the port with this value. */
    port: Type.Optional(PortNumber()),
    /** Derive the port from the protocol default or from the request. */
    derivePort: Type.Optional(StringEnum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'] as const)),
    /** Replace the scheme, e.g. `https`. */
    scheme: Type.Optional(Type.String()),
    /** Status code, 300..399. @default 301 */
    redirectCode: Type.Optional(Type.Integer({ minimum: 300, maximum: 399, description: 'Redirect status code.' })),
  },
  { exclusive: [['port', 'derivePort']] },
);
export type HTTPRedirect = Static<typeof HTTPRedirectSchema>;

/** `RegexRewrite`: regex-based path rewrite. */
export const RegexRewriteSchema = Strict({
  /** RE2 regex matched against the path. */
  match: Type.String(),
  /** Replacement, may reference capture groups (`\1`). */
  rewrite: Type.String(),
});
export type RegexRewrite = Static<typeof RegexRewriteSchema>;

/** `HTTPRewrite`: rewrite parts of the request before forwarding. */
export const HTTPRewriteSchema = Strict(
  {
    /** Replace the matched part of the path (the whole path for `exact`, the prefix for `prefix`). */
    uri: Type.Optional(Type.String()),
    /** Replace the authority/Host. */
    authority: Type.Optional(Type.String()),
    /** Rewrite the path with a regex. */
    uriRegexRewrite: Type.Optional(RegexRewriteSchema),
  },
  { exclusive: [['uri', 'uriRegexRewrite']] },
);
export type HTTPRewrite = Static<typeof HTTPRewriteSchema>;

/** `HTTPBody`: a direct-response body, as text or base64 bytes. */
export const HTTPBodySchema = Type.Union([
  Strict({ string: Type.String({ description: 'Response body as a string.' }) }),
  Strict({ bytes: Type.String({ description: 'Response body as base64-encoded bytes.' }) }),
]);
export type HTTPBody = Static<typeof HTTPBodySchema>;

/** `HTTPDirectResponse`: answer with a fixed response instead of forwarding. */
export const HTTPDirectResponseSchema = Strict({
  /** HTTP status, 200..599. */
  status: Type.Integer({ minimum: 200, maximum: 599, description: 'HTTP status code.' }),
  /** Response body. */
  body: Type.Optional(HTTPBodySchema),
});
export type HTTPDirectResponse = Static<typeof HTTPDirectResponseSchema>;

/** `Delegate`: hand routing to another VirtualService. */
export const DelegateSchema = Strict({
  /** Name of the delegate VirtualService. */
  name: Type.Optional(Type.String()),
  /** Namespace of the delegate. @default - the same namespace */
  namespace: Type.Optional(Type.String()),
});
export type Delegate = Static<typeof DelegateSchema>;

/** `HTTPRetry`: retry policy. */
export const HTTPRetrySchema = Strict({
  /** Number of retries; 0 disables retries. */
  attempts: Type.Optional(Type.Integer({ minimum: 0, description: 'Number of retries.' })),
  /** Timeout per attempt, e.g. `2s`. */
  perTryTimeout: Type.Optional(Duration()),
  /** Comma-separated Envoy retry conditions, e.g. `gateway-error,connect-failure,refused-stream`, or status codes. */
  retryOn: Type.Optional(Type.String()),
  /** Retry against other localities. */
  retryRemoteLocalities: Type.Optional(Type.Boolean()),
});
export type HTTPRetry = Static<typeof HTTPRetrySchema>;

/** `HTTPFaultInjection.Delay`. */
export const HTTPFaultDelaySchema = Strict(
  {
    /** Delay added before forwarding, e.g. `5s`. */
    fixedDelay: Type.Optional(Duration()),
    /** Exponential delay (not implemented by Istio, kept for compatibility). */
    exponentialDelay: Type.Optional(Duration()),
    /** Share of requests delayed. @default 100 */
    percentage: Type.Optional(PercentSchema),
    /** @deprecated use `percentage`. */
    percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { exclusive: [['fixedDelay', 'exponentialDelay']] },
);
export type HTTPFaultDelay = Static<typeof HTTPFaultDelaySchema>;

/** `HTTPFaultInjection.Abort`. */
export const HTTPFaultAbortSchema = Strict(
  {
    /** HTTP status returned, 200..599. */
    httpStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
    /** gRPC status returned, e.g. `UNAVAILABLE`. */
    grpcStatus: Type.Optional(Type.String()),
    /** HTTP/2 error (not implemented by Istio). */
    http2Error: Type.Optional(Type.String()),
    /** Share of requests aborted. @default 100 */
    percentage: Type.Optional(PercentSchema),
  },
  { exclusive: [['httpStatus', 'grpcStatus', 'http2Error']] },
);
export type HTTPFaultAbort = Static<typeof HTTPFaultAbortSchema>;

/** `HTTPFaultInjection`: delays and aborts for testing resiliency. */
export const HTTPFaultInjectionSchema = Strict({
  delay: Type.Optional(HTTPFaultDelaySchema),
  abort: Type.Optional(HTTPFaultAbortSchema),
});
export type HTTPFaultInjection = Static<typeof HTTPFaultInjectionSchema>;

/** `HTTPMirrorPolicy`: one mirror target of `mirrors`. */
export const HTTPMirrorPolicySchema = Strict({
  /** Where to mirror requests. */
  destination: DestinationSchema,
  /** Share of requests mirrored. @default 100 */
  percentage: Type.Optional(PercentSchema),
});
export type HTTPMirrorPolicy = Static<typeof HTTPMirrorPolicySchema>;

/** `CorsPolicy`: cross-origin resource sharing. */
export const CorsPolicySchema = Strict({
  /** Origins allowed, as string matches. */
  allowOrigins: Type.Optional(Type.Array(StringMatchSchema)),
  /** @deprecated use `allowOrigins`. */
  allowOrigin: Type.Optional(StringList()),
  /** Methods allowed (Access-Control-Allow-Methods). */
  allowMethods: Type.Optional(StringList()),
  /** Request headers allowed (Access-Control-Allow-Headers). */
  allowHeaders: Type.Optional(StringList()),
  /** Response headers exposed (Access-Control-Expose-Headers). */
  exposeHeaders: Type.Optional(StringList()),
  /** How long preflight results may be cached, e.g. `24h`. */
  maxAge: Type.Optional(Duration()),
  /** Whether credentials are allowed (Access-Control-Allow-Credentials). */
  allowCredentials: Type.Optional(Type.Boolean()),
});
export type CorsPolicy = Static<typeof CorsPolicySchema>;

/** `HTTPRoute`: match conditions and what to do with matching HTTP/1.1, HTTP/2 and gRPC traffic. */
export const HTTPRouteSchema = Strict(
  {
    /** Name of the route, used in logs and by delegates. */
    name: Type.Optional(Type.String()),
    /** Conditions (ORed) for this rule; empty matches everything. */
    match: Type.Optional(Type.Array(HTTPMatchRequestSchema)),
    /** Weighted destinations. */
    route: Type.Optional(Type.Array(HTTPRouteDestinationSchema)),
    /** Answer with a redirect. */
    redirect: Type.Optional(HTTPRedirectSchema),
    /** Answer with a fixed response. */
    directResponse: Type.Optional(HTTPDirectResponseSchema),
    /** Delegate routing to another VirtualService. */
    delegate: Type.Optional(DelegateSchema),
    /** Rewrite the request before forwarding. */
    rewrite: Type.Optional(HTTPRewriteSchema),
    /** Overall request timeout, e.g. `10s`. @default - disabled */
    timeout: Type.Optional(Duration()),
    /** Retry policy. */
    retries: Type.Optional(HTTPRetrySchema),
    /** Fault injection. */
    fault: Type.Optional(HTTPFaultInjectionSchema),
    /** Mirror (shadow) traffic to this destination. */
    mirror: Type.Optional(DestinationSchema),
    /** Several mirror targets. */
    mirrors: Type.Optional(Type.Array(HTTPMirrorPolicySchema)),
    /** Share of traffic mirrored to `mirror`. @default 100 */
    mirrorPercentage: Type.Optional(PercentSchema),
    /** @deprecated use `mirrorPercentage`. */
    mirrorPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    /** CORS policy. */
    corsPolicy: Type.Optional(CorsPolicySchema),
    /** Header manipulation. */
    headers: Type.Optional(HeadersSchema),
  },
  {
    exclusive: [
      ['route', 'redirect', 'directResponse', 'delegate'],
      ['mirror', 'mirrors'],
    ],
  },
);
export type HTTPRoute = Static<typeof HTTPRouteSchema>;

// ---------------------------------------------------------------------------
// TCP and TLS

/** `RouteDestination`: a weighted destination of a TCP or TLS route. */
export const RouteDestinationSchema = Strict({
  destination: DestinationSchema,
  /** Share of traffic, 0..100. */
  weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
});
export type RouteDestination = Static<typeof RouteDestinationSchema>;

/** `L4MatchAttributes`: connection-level match for TCP routes. */
export const L4MatchAttributesSchema = Strict({
  /** Destination IPv4/IPv6 addresses or CIDRs. */
  destinationSubnets: Type.Optional(StringList()),
  /** Port on the host being addressed. */
  port: Type.Optional(PortNumber()),
  sourceLabels: Type.Optional(StringMap()),
  gateways: Type.Optional(StringList()),
  sourceNamespace: Type.Optional(Type.String()),
});
export type L4MatchAttributes = Static<typeof L4MatchAttributesSchema>;

/** `TLSMatchAttributes`: match on SNI for TLS routes. */
export const TLSMatchAttributesSchema = Strict({
  /** SNI values to match; wildcard prefixes allowed. */
  sniHosts: Type.Array(Type.String(), { minItems: 1 }),
  destinationSubnets: Type.Optional(StringList()),
  port: Type.Optional(PortNumber()),
  sourceLabels: Type.Optional(StringMap()),
  gateways: Type.Optional(StringList()),
  sourceNamespace: Type.Optional(Type.String()),
});
export type TLSMatchAttributes = Static<typeof TLSMatchAttributesSchema>;

/** `TCPRoute`: routing for opaque TCP traffic. */
export const TCPRouteSchema = Strict({
  match: Type.Optional(Type.Array(L4MatchAttributesSchema)),
  route: Type.Optional(Type.Array(RouteDestinationSchema)),
});
export type TCPRoute = Static<typeof TCPRouteSchema>;

/** `TLSRoute`: routing for unterminated TLS (passthrough), by SNI. */
export const TLSRouteSchema = Strict({
  match: Type.Array(TLSMatchAttributesSchema, { minItems: 1 }),
  route: Type.Optional(Type.Array(RouteDestinationSchema)),
});
export type TLSRoute = Static<typeof TLSRouteSchema>;

// ---------------------------------------------------------------------------

/** The spec of a VirtualService. */
export const VirtualServiceSpecSchema = Strict(
  {
    /** Destination hosts this routing applies to, e.g. `reviews` or `bookinfo.example.com`. */
    hosts: Type.Optional(StringList()),
    /** Gateways (`<ns>/<name>`) and/or `mesh` (sidecars) that apply these routes. @default ['mesh'] */
    gateways: Type.Optional(StringList()),
    /** Ordered HTTP routes; the first match wins. */
    http: Type.Optional(Type.Array(HTTPRouteSchema)),
    /** Ordered TLS passthrough routes. */
    tls: Type.Optional(Type.Array(TLSRouteSchema)),
    /** Ordered TCP routes. */
    tcp: Type.Optional(Type.Array(TCPRouteSchema)),
    /** Namespaces this VirtualService is visible to. @default - all */
    exportTo: Type.Optional(ExportTo),
  },
  { description: 'Configuration affecting traffic routing.' },
);
export type VirtualServiceSpec = Static<typeof VirtualServiceSpecSchema>;
