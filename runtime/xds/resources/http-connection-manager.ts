/**
 * `envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`:
 * where its routes come from (RDS by name, or inline), and its HTTP filter chain
 * (JWT authentication, RBAC, fault, CORS, router last). Unknown filters are rejected unless `is_optional`,
 * in which case they are left out.
 */
import { CORS_TYPE_URL } from './cors';
import { FAULT_TYPE_URL, FaultConfig, decodeFault } from './fault';
import { JWT_AUTHN_TYPE_URL, JwtAuthnConfig, decodeJwtAuthn } from './jwt-authn';
import { RBAC_TYPE_URL, RbacConfig, decodeRbac } from './rbac';
import { checkAdsConfigSource } from './private/config-source';
import type { Message } from './private/reader';
import { readAny } from './private/reader';
import { RouteConfiguration, readRouteConfiguration } from './route-configuration';

export const HTTP_CONNECTION_MANAGER_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
export const ROUTER_FILTER_NAME = 'envoy.filters.http.router';

export interface RouterConfig {
  readonly suppressEnvoyHeaders: boolean;
  readonly respectExpectedRequestTimeout: boolean;
}

interface HttpFilterBase {
  readonly name: string;
  readonly isOptional: boolean;
  /** Disabled unless a route's per-filter config enables it. */
  readonly disabled: boolean;
}

export type HttpFilter = HttpFilterBase & (
  | { readonly kind: 'router'; readonly config: RouterConfig }
  | { readonly kind: 'fault'; readonly config: FaultConfig }
  | { readonly kind: 'cors' }
  | { readonly kind: 'rbac'; readonly config: RbacConfig }
  | { readonly kind: 'jwtAuthn'; readonly config: JwtAuthnConfig }
);

export type RouteSource =
  | { readonly kind: 'rds'; readonly routeConfigName: string }
  | { readonly kind: 'inline'; readonly routeConfig: RouteConfiguration };

export interface HttpConnectionManager {
  readonly statPrefix: string;
  readonly routeSource: RouteSource;
  /** In order; the router is always last. */
  readonly httpFilters: readonly HttpFilter[];
  /** @default 'AUTO' */
  readonly codec: 'AUTO' | 'HTTP1' | 'HTTP2';
  readonly useRemoteAddress: boolean;
  readonly xffNumTrustedHops: number;
  /** @default true */
  readonly generateRequestId: boolean;
  /** Idle time allowed on a stream; 0 disables. @default 300000 */
  readonly streamIdleTimeoutMs: number;
  /** Whole-request receive timeout; 0 disables. @default 0 */
  readonly requestTimeoutMs: number;
  readonly requestHeadersTimeoutMs: number;
  /** Idle time of a downstream connection without streams. @default 3600000 */
  readonly idleTimeoutMs: number;
  readonly maxConnectionDurationMs?: number;
  readonly maxRequestsPerConnection?: number;
  readonly normalizePath: boolean;
  readonly mergeSlashes: boolean;
  /** Value of the `server` response header. @default 'envoy' */
  readonly serverName: string;
}

/** Envoy's stream idle timeout when unset: five minutes. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
export const DEFAULT_HTTP_IDLE_TIMEOUT_MS = 3_600_000;

const DEFAULT_ROUTER: HttpFilter = { name: ROUTER_FILTER_NAME, isOptional: false, disabled: false, kind: 'router', config: { suppressEnvoyHeaders: false, respectExpectedRequestTimeout: false } };

/** A filter, `'skipped'` for an unknown optional one, `undefined` when invalid. */
function decodeHttpFilter(m: Message): HttpFilter | 'skipped' | undefined {
  m.unsupported(['config_discovery'], 'is not supported (give typed_config)');
  const name = m.string('name', { required: true });
  const isOptional = m.bool('is_optional', false);
  const disabled = m.bool('disabled', false);
  const config = m.message('typed_config', { required: !m.has('config_discovery') });
  const typed = config ? readAny(config) : undefined;
  if (name === undefined || !typed) return undefined;
  const base = { name, isOptional, disabled };
  if (typed.typeUrl === ROUTER_TYPE_URL && typed.body) {
    typed.body.unsupported(['upstream_http_filters', 'upstream_log']);
    return {
      ...base, kind: 'router',
      config: {
        suppressEnvoyHeaders: typed.body.bool('suppress_envoy_headers', false),
        respectExpectedRequestTimeout: typed.body.bool('respect_expected_rq_timeout', false),
      },
    };
  }
  if (typed.typeUrl === FAULT_TYPE_URL && typed.body) return { ...base, kind: 'fault', config: decodeFault(typed.body) };
  if (typed.typeUrl === CORS_TYPE_URL) return { ...base, kind: 'cors' };
  if (typed.typeUrl === RBAC_TYPE_URL && typed.body) return { ...base, kind: 'rbac', config: decodeRbac(typed.body) };
  if (typed.typeUrl === JWT_AUTHN_TYPE_URL && typed.body) return { ...base, kind: 'jwtAuthn', config: decodeJwtAuthn(typed.body) };
  if (isOptional) return 'skipped';
  config?.error(undefined, `unsupported HTTP filter type '${typed.typeUrl}' (set is_optional to let proxies skip it)`);
  return undefined;
}

/** Names are unique; the router is last, and only last (skipped optional filters aside). */
function checkChain(filters: readonly Message[], decoded: readonly (HttpFilter | 'skipped' | undefined)[]): void {
  const names = new Map<string, number>();
  filters.forEach((f, i) => {
    const name = f.fields.name;
    if (typeof name !== 'string' || name === '') return;
    const first = names.get(name);
    if (first !== undefined) f.error('name', `duplicate HTTP filter name '${name}' (also http_filters[${first}])`);
    else names.set(name, i);
  });
  const kept = decoded.map((f, i) => ({ f, m: filters[i] as Message })).filter((x) => x.f !== 'skipped');
  kept.forEach(({ f, m }, i) => {
    if (f !== undefined && f !== 'skipped' && f.kind === 'router' && i !== kept.length - 1) {
      m.error(undefined, `the router filter must be the last HTTP filter`);
    }
  });
  const last = kept[kept.length - 1];
  if (last && last.f !== undefined && last.f !== 'skipped' && last.f.kind !== 'router') {
    last.m.error(undefined, `the last HTTP filter must be the router (got '${last.f.name}')`);
  }
}

/** Reads an HttpConnectionManager message (the fields after `@type`). */
export function readHttpConnectionManager(m: Message): HttpConnectionManager | undefined {
  m.unsupported(['scoped_routes', 'local_reply_config', 'original_ip_detection_extensions', 'http3_protocol_options']);
  const statPrefix = m.string('stat_prefix', { required: true });
  const which = m.oneof(['rds', 'route_config', 'scoped_routes'] as const, { required: true });
  let routeSource: RouteSource | undefined;
  if (which === 'rds') {
    const rds = m.message('rds');
    const source = rds?.message('config_source', { required: true });
    if (source) checkAdsConfigSource(source);
    const routeConfigName = rds?.string('route_config_name', { required: true });
    if (routeConfigName !== undefined) routeSource = { kind: 'rds', routeConfigName };
  } else if (which === 'route_config') {
    const inline = m.message('route_config');
    const routeConfig = inline ? readRouteConfiguration(inline, false) : undefined;
    if (routeConfig) routeSource = { kind: 'inline', routeConfig };
  }
  const filterMessages = m.messages('http_filters');
  const decoded = filterMessages.map(decodeHttpFilter);
  checkChain(filterMessages, decoded);
  const httpFilters = filterMessages.length === 0 ? [DEFAULT_ROUTER] : decoded.filter((f): f is HttpFilter => f !== undefined && f !== 'skipped');
  const codecName = m.enumOf('codec_type', ['AUTO', 'HTTP1', 'HTTP2'] as const, 'AUTO', ['AUTO', 'HTTP1', 'HTTP2', 'HTTP3']);
  const common = m.message('common_http_protocol_options');
  const idleTimeoutMs = common?.duration('idle_timeout') ?? DEFAULT_HTTP_IDLE_TIMEOUT_MS;
  const maxConnectionDurationMs = common?.duration('max_connection_duration');
  const maxRequestsPerConnection = common?.integer('max_requests_per_connection', { min: 1 });
  const value: Omit<HttpConnectionManager, 'routeSource' | 'statPrefix'> = {
    httpFilters,
    codec: codecName,
    useRemoteAddress: m.bool('use_remote_address', false),
    xffNumTrustedHops: m.integer('xff_num_trusted_hops') ?? 0,
    generateRequestId: m.bool('generate_request_id', true),
    streamIdleTimeoutMs: m.duration('stream_idle_timeout') ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    requestTimeoutMs: m.duration('request_timeout') ?? 0,
    requestHeadersTimeoutMs: m.duration('request_headers_timeout') ?? 0,
    idleTimeoutMs,
    ...(maxConnectionDurationMs !== undefined ? { maxConnectionDurationMs } : {}),
    ...(maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection } : {}),
    normalizePath: m.bool('normalize_path', false),
    mergeSlashes: m.bool('merge_slashes', false),
    serverName: m.string('server_name') || 'envoy',
  };
  if (statPrefix === undefined || routeSource === undefined) return undefined;
  return { statPrefix, routeSource, ...value };
}
