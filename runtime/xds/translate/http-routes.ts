/**
 * One VirtualService `http` entry → Envoy routes, in order (first match wins).
 * Each applicable `match` becomes its own route; matches that do not apply to
 * this proxy (sourceLabels, gateways, port, sourceNamespace) are dropped, and an
 * entry whose matches all drop yields nothing. Actions: route (single cluster or
 * weighted_clusters), redirect, direct_response; with timeout, retries (Istio's
 * defaults when unset), fault and CORS (typed_per_filter_config), mirrors,
 * header operations, rewrites and the DestinationRule's consistent-hash key.
 */
import type {
  CorsPolicy, Destination, HTTPFaultInjection, HTTPMatchRequest, HTTPRetry, HTTPRoute, HTTPRouteDestination,
  HeaderMatch, Headers, HeaderOperations, VirtualServiceSpec,
} from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { labelsMatch } from '../../config/host-match';
import { outboundClusterName } from './cluster-names';
import {
  FILTER, PlainMessage, TYPE, duration, durationSeconds, fractionalPercent, integerPercent, stringMatcher, typed,
} from './envoy';
import { hashPolicy } from './load-balancing';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { effectiveTrafficPolicy } from './traffic-policy';

/** Where the routes are built: the proxy, the listener port, and the gateway names it answers to. */
export interface RouteContext {
  readonly index: MeshIndex;
  readonly proxy: ProxyIdentity;
  readonly port: number;
  /** `['mesh']` for sidecars; `['ns/name', 'name']`-style names of the gateway(s) for routers. */
  readonly gateways: readonly string[];
}

/** Istio's retry policy when a route sets none. */
export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
export const DEFAULT_RETRY_ATTEMPTS = 2;

/** The retry host predicate Istio always sets (an empty PreviousHostsPredicate). */
export const PREVIOUS_HOSTS_PREDICATE: PlainMessage = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typed_config: typed(TYPE.previousHosts),
};

/** The route's retry policy as Istio converts it; `undefined` (no retries) for `attempts: 0`. */
export function retryPolicy(retries: HTTPRetry | undefined): PlainMessage | undefined {
  const base = (): PlainMessage => ({
    retry_on: DEFAULT_RETRY_ON,
    num_retries: DEFAULT_RETRY_ATTEMPTS,
    retry_host_predicate: [PREVIOUS_HOSTS_PREDICATE],
    host_selection_retry_max_attempts: 5,
    retriable_status_codes: [503],
  });
  if (!retries) return base();
  if (!retries.attempts || retries.attempts <= 0) return undefined;
  const out = base();
  out.num_retries = retries.attempts;
  if (retries.retryOn !== undefined && retries.retryOn !== '') {
    const parts = retries.retryOn.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const codes = parts.filter((p) => /^[0-9]+$/.test(p)).map(Number);
    const policies = parts.filter((p) => !/^[0-9]+$/.test(p));
    if (codes.length > 0 && !policies.includes('retriable-status-codes')) policies.push('retriable-status-codes');
    out.retry_on = policies.join(',');
    if (codes.length > 0) out.retriable_status_codes = codes;
    else delete out.retriable_status_codes;
  }
  if (retries.perTryTimeout !== undefined) out.per_try_timeout = duration(retries.perTryTimeout);
  return out;
}

const GRPC_CODES: Readonly<Record<string, number>> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

function percentOf(percentage: { value: number } | undefined, percent: number | undefined): PlainMessage {
  if (percentage) return fractionalPercent(percentage.value);
  if (percent !== undefined) return integerPercent(percent);
  return fractionalPercent(100);
}

/** The fault filter's per-route config (`envoy.extensions.filters.http.fault.v3.HTTPFault`). */
export function faultConfig(fault: HTTPFaultInjection): PlainMessage | undefined {
  const out: PlainMessage = {};
  const delay = fault.delay;
  if (delay?.fixedDelay !== undefined) {
    out.delay = { fixed_delay: duration(delay.fixedDelay), percentage: percentOf(delay.percentage, delay.percent) };
  }
  const abort = fault.abort;
  if (abort && (abort.httpStatus !== undefined || abort.grpcStatus !== undefined)) {
    const code = abort.httpStatus !== undefined
      ? { http_status: abort.httpStatus }
      : { grpc_status: GRPC_CODES[abort.grpcStatus?.toUpperCase() ?? ''] ?? (Number(abort.grpcStatus) || 2) };
    out.abort = { ...code, percentage: percentOf(abort.percentage, undefined) };
  }
  return Object.keys(out).length > 0 ? typed(TYPE.fault, out) : undefined;
}

/** The CORS filter's per-route policy (`envoy.extensions.filters.http.cors.v3.CorsPolicy`). */
export function corsConfig(cors: CorsPolicy): PlainMessage {
  const origins = [
    ...(cors.allowOrigins ?? []).map((m) => stringMatcher(m)),
    ...(cors.allowOrigin ?? []).map((o) => (o === '*' ? { prefix: '' } : { exact: o })),
  ];
  return typed(TYPE.corsPolicy, {
    ...(origins.length > 0 ? { allow_origin_string_match: origins } : {}),
    ...(cors.allowMethods ? { allow_methods: cors.allowMethods.join(',') } : {}),
    ...(cors.allowHeaders ? { allow_headers: cors.allowHeaders.join(',') } : {}),
    ...(cors.exposeHeaders ? { expose_headers: cors.exposeHeaders.join(',') } : {}),
    ...(cors.maxAge !== undefined ? { max_age: String(durationSeconds(cors.maxAge)) } : {}),
    ...(cors.allowCredentials !== undefined ? { allow_credentials: cors.allowCredentials } : {}),
    filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
  });
}

/** Header additions: `set` overwrites, `add` appends. */
function headersToAdd(ops: HeaderOperations | undefined): PlainMessage[] {
  if (!ops) return [];
  return [
    ...Object.entries(ops.set ?? {}).map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...Object.entries(ops.add ?? {}).map(([key, value]) => ({ header: { key, value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
}

/** The four header-operation fields of a route or weighted cluster for `headers` (several merged in order). */
export function headerFields(...all: (Headers | undefined)[]): PlainMessage {
  const out: PlainMessage = {};
  const reqAdd = all.flatMap((h) => headersToAdd(h?.request));
  const reqRemove = all.flatMap((h) => h?.request?.remove ?? []);
  const resAdd = all.flatMap((h) => headersToAdd(h?.response));
  const resRemove = all.flatMap((h) => h?.response?.remove ?? []);
  if (reqAdd.length > 0) out.request_headers_to_add = reqAdd;
  if (reqRemove.length > 0) out.request_headers_to_remove = reqRemove;
  if (resAdd.length > 0) out.response_headers_to_add = resAdd;
  if (resRemove.length > 0) out.response_headers_to_remove = resRemove;
  return out;
}

function headerMatcher(name: string, match: HeaderMatch, invert = false): PlainMessage {
  const base: PlainMessage = Object.keys(match).length === 0
    ? { name, present_match: true }
    : { name, string_match: stringMatcher(match as Parameters<typeof stringMatcher>[0]) };
  return invert ? { ...base, invert_match: true } : base;
}

/** An Istio match as an Envoy RouteMatch. */
export function routeMatch(m: HTTPMatchRequest | undefined): PlainMessage {
  const out: PlainMessage = {};
  const uri = m?.uri;
  if (!uri) out.prefix = '/';
  else if ('exact' in uri) out.path = uri.exact;
  else if ('prefix' in uri) out.prefix = uri.prefix;
  else out.safe_regex = { regex: uri.regex };
  if (m?.ignoreUriCase) out.case_sensitive = false;
  const headers: PlainMessage[] = [];
  for (const [name, match] of Object.entries(m?.headers ?? {})) headers.push(headerMatcher(name.toLowerCase(), match));
  for (const [name, match] of Object.entries(m?.withoutHeaders ?? {})) headers.push(headerMatcher(name.toLowerCase(), match, true));
  if (m?.method) headers.push(headerMatcher(':method', m.method));
  if (m?.authority) headers.push(headerMatcher(':authority', m.authority));
  if (m?.scheme) headers.push(headerMatcher(':scheme', m.scheme));
  if (headers.length > 0) out.headers = headers;
  const query = Object.entries(m?.queryParams ?? {}).map(([name, match]) =>
    Object.keys(match).length === 0 ? { name, present_match: true } : { name, string_match: stringMatcher(match as Parameters<typeof stringMatcher>[0]) });
  if (query.length > 0) out.query_parameters = query;
  return out;
}

/** Whether a match applies to this proxy and listener. */
function applies(ctx: RouteContext, m: HTTPMatchRequest, vsBound: boolean): boolean {
  if (m.port !== undefined && m.port !== ctx.port) return false;
  if (m.sourceLabels && !labelsMatch(m.sourceLabels, ctx.proxy.labels)) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== ctx.proxy.namespace) return false;
  if (m.gateways && m.gateways.length > 0) return m.gateways.some((g) => ctx.gateways.includes(g));
  return vsBound;
}

/** The cluster a destination names, as seen from the VirtualService's namespace. */
export function destinationCluster(ctx: RouteContext, vsNamespace: string, d: Destination): string {
  const service = ctx.index.registry.resolve(d.host, vsNamespace);
  const hostname = service?.hostname ?? ctx.index.qualify(d.host, vsNamespace);
  const port = d.port?.number ?? (service && service.ports.length === 1 ? (service.ports[0]?.port as number) : ctx.port);
  return outboundClusterName(port, d.subset, hostname);
}

function destinationHashPolicy(ctx: RouteContext, vsNamespace: string, d: Destination): string | undefined {
  const service = ctx.index.registry.resolve(d.host, vsNamespace);
  const hostname = service?.hostname ?? ctx.index.qualify(d.host, vsNamespace);
  const rule = ctx.index.destinationRule(hostname, service?.namespace ?? vsNamespace, ctx.proxy)?.spec;
  const port = d.port?.number ?? (service && service.ports.length === 1 ? service.ports[0]?.port : ctx.port);
  const policy = hashPolicy(effectiveTrafficPolicy(rule, d.subset, port)?.loadBalancer);
  return policy ? JSON.stringify(policy) : undefined;
}

const REDIRECT_CODES: Readonly<Record<number, string>> = {
  301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT',
};

function routeAction(ctx: RouteContext, vsNamespace: string, http: HTTPRoute): { action: PlainMessage; headers: PlainMessage } {
  const all = http.route ?? [];
  const dests: HTTPRouteDestination[] = all.length === 1 ? all : all.filter((d) => (d.weight ?? 0) > 0);
  const action: PlainMessage = {};
  let headers: PlainMessage;
  if (dests.length === 1) {
    const d = dests[0] as HTTPRouteDestination;
    action.cluster = destinationCluster(ctx, vsNamespace, d.destination);
    headers = headerFields(http.headers, d.headers);
  } else {
    const clusters = dests.map((d) => ({
      name: destinationCluster(ctx, vsNamespace, d.destination),
      weight: d.weight ?? 0,
      ...headerFields(d.headers),
    }));
    action.weighted_clusters = { clusters, total_weight: clusters.reduce((sum, c) => sum + c.weight, 0) };
    headers = headerFields(http.headers);
  }
  action.timeout = http.timeout !== undefined ? duration(http.timeout) : '0s';
  const retry = retryPolicy(http.retries);
  if (retry) action.retry_policy = retry;
  const mirrors: PlainMessage[] = [];
  if (http.mirror) {
    mirrors.push({
      cluster: destinationCluster(ctx, vsNamespace, http.mirror),
      runtime_fraction: { default_value: percentOf(http.mirrorPercentage, http.mirrorPercent) },
    });
  }
  for (const m of http.mirrors ?? []) {
    mirrors.push({ cluster: destinationCluster(ctx, vsNamespace, m.destination), runtime_fraction: { default_value: percentOf(m.percentage, undefined) } });
  }
  if (mirrors.length > 0) action.request_mirror_policies = mirrors;
  const rw = http.rewrite;
  if (rw?.uri !== undefined) action.prefix_rewrite = rw.uri;
  if (rw?.uriRegexRewrite) action.regex_rewrite = { pattern: { regex: rw.uriRegexRewrite.match }, substitution: rw.uriRegexRewrite.rewrite };
  if (rw?.authority !== undefined) action.host_rewrite_literal = rw.authority;
  const hashes = dests.map((d) => destinationHashPolicy(ctx, vsNamespace, d.destination));
  const first = hashes[0];
  if (first !== undefined && hashes.every((h) => h === first)) action.hash_policy = JSON.parse(first) as PlainMessage[];
  return { action, headers };
}

/** The Envoy routes of one http entry (none when it does not apply to this proxy, or delegates). */
export function httpRoutes(ctx: RouteContext, vs: ConfigObject<VirtualServiceSpec>, http: HTTPRoute): PlainMessage[] {
  const vsGateways = vs.spec.gateways && vs.spec.gateways.length > 0 ? vs.spec.gateways : ['mesh'];
  const vsBound = vsGateways.some((g) => ctx.gateways.includes(g));
  const matches = http.match && http.match.length > 0 ? http.match.filter((m) => applies(ctx, m, vsBound)) : vsBound ? [undefined] : [];
  if (matches.length === 0 || http.delegate) return [];
  let body: PlainMessage;
  if (http.redirect) {
    const r = http.redirect;
    body = {
      redirect: {
        ...(r.uri !== undefined ? { path_redirect: r.uri } : {}),
        ...(r.authority !== undefined ? { host_redirect: r.authority } : {}),
        ...(r.port !== undefined ? { port_redirect: r.port } : {}),
        ...(r.scheme !== undefined ? { scheme_redirect: r.scheme } : {}),
        response_code: REDIRECT_CODES[r.redirectCode ?? 301] ?? 'MOVED_PERMANENTLY',
      },
      ...headerFields(http.headers),
    };
  } else if (http.directResponse) {
    const d = http.directResponse;
    const body_ = d.body === undefined ? undefined : 'string' in d.body ? { inline_string: d.body.string } : { inline_bytes: d.body.bytes };
    body = { direct_response: { status: d.status, ...(body_ ? { body: body_ } : {}) }, ...headerFields(http.headers) };
  } else {
    const { action, headers } = routeAction(ctx, vs.namespace, http);
    body = { route: action, ...headers };
  }
  const perFilter: PlainMessage = {};
  const fault = http.fault ? faultConfig(http.fault) : undefined;
  if (fault) perFilter[FILTER.fault] = fault;
  if (http.corsPolicy) perFilter[FILTER.cors] = corsConfig(http.corsPolicy);
  return matches.map((m) => {
    const name = [http.name, m?.name].filter((n) => n !== undefined && n !== '').join('.');
    return {
      ...(name !== '' ? { name } : {}),
      match: routeMatch(m),
      ...body,
      ...(Object.keys(perFilter).length > 0 ? { typed_per_filter_config: perFilter } : {}),
    };
  });
}

/** The route to a service when no VirtualService applies: everything to its cluster, Istio's default retries, no timeout. */
export function defaultRoute(cluster: string): PlainMessage {
  return {
    name: 'default',
    match: { prefix: '/' },
    route: { cluster, timeout: '0s', retry_policy: retryPolicy(undefined) },
  };
}
