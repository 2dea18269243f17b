/**
 * RDS: `envoy.config.route.v3.RouteConfiguration` → {@link RouteConfiguration}.
 * Virtual hosts select by the request's host (domains: exact, `*.suffix`,
 * `prefix.*` or `*`); routes are tried in order, first match wins.
 */
import { CorsPolicy, decodeCorsPolicy } from './cors';
import { PerFilterConfigs, decodePerFilterConfigs } from './filter-config';
import { HeaderOperations, decodeHeaderOperations } from './header-operations';
import { checkAdsConfigSource } from './private/config-source';
import { Issues, Message } from './private/reader';
import { Result, fail, ok } from './result';
import {
  DEFAULT_MAX_DIRECT_RESPONSE_BODY_BYTES, RouteAction, decodeDirectResponse, decodeForwardAction, decodeRedirect,
} from './route-action';
import { RouteMatch, decodeRouteMatch } from './route-match';
import { RetryPolicy, decodeRetryPolicy } from './retry-policy';

export * from './route-action';
export * from './route-match';
export * from './retry-policy';
export * from './hash-policy';
export * from './filter-config';

export interface Route {
  /** @default '' */
  readonly name: string;
  readonly match: RouteMatch;
  readonly action: RouteAction;
  readonly headers: HeaderOperations;
  readonly filterConfigs: PerFilterConfigs;
}

/** A domain pattern of a virtual host (lower-cased). */
export type DomainPattern =
  | { readonly kind: 'exact'; readonly value: string }
  /** `*.example.com` → suffix `.example.com`. */
  | { readonly kind: 'suffix'; readonly value: string }
  /** `example.*` → prefix `example.`. */
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'any' };

export interface VirtualHost {
  readonly name: string;
  /** The domains as written. */
  readonly domains: readonly string[];
  readonly domainPatterns: readonly DomainPattern[];
  readonly routes: readonly Route[];
  /** @default 'NONE' */
  readonly requireTls: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  readonly headers: HeaderOperations;
  readonly filterConfigs: PerFilterConfigs;
  /** Routes without a retry policy of their own use this one. */
  readonly retryPolicy?: RetryPolicy;
  /** The older per-virtual-host CORS policy. */
  readonly cors?: CorsPolicy;
  readonly includeRequestAttemptCount: boolean;
  readonly includeAttemptCountInResponse: boolean;
}

export interface RouteConfiguration {
  readonly name: string;
  readonly virtualHosts: readonly VirtualHost[];
  readonly headers: HeaderOperations;
  /** Headers only trusted from internal clients; removed from external requests. */
  readonly internalOnlyHeaders: readonly string[];
  readonly validateClusters: boolean;
  readonly ignorePortInHostMatching: boolean;
  readonly filterConfigs: PerFilterConfigs;
  /**
   * Virtual hosts also come one by one over VHDS (delta ADS), as resources named
   * `<route configuration>/<virtual host>`; `virtualHosts` holds only those listed inline.
   */
  readonly vhds: boolean;
}

function domainPattern(domain: string): DomainPattern {
  const d = domain.toLowerCase();
  if (d === '*') return { kind: 'any' };
  if (d.startsWith('*')) return { kind: 'suffix', value: d.slice(1) };
  if (d.endsWith('*')) return { kind: 'prefix', value: d.slice(0, -1) };
  return { kind: 'exact', value: d };
}

function decodeRoute(m: Message, maxBodyBytes: number): Route | undefined {
  m.unsupported(['filter_action', 'non_forwarding_action', 'per_request_buffer_limit_bytes']);
  const name = m.string('name') ?? '';
  const matchMessage = m.message('match', { required: true });
  const match = matchMessage ? decodeRouteMatch(matchMessage) : undefined;
  const which = m.oneof(['route', 'redirect', 'direct_response', 'filter_action', 'non_forwarding_action'] as const, { required: true });
  let action: RouteAction | undefined;
  const body = which ? m.message(which) : undefined;
  if (body && which === 'route') action = decodeForwardAction(body, match?.path);
  else if (body && which === 'redirect') action = decodeRedirect(body);
  else if (body && which === 'direct_response') action = decodeDirectResponse(body, maxBodyBytes);
  const headers = decodeHeaderOperations(m);
  const filterConfigs = decodePerFilterConfigs(m);
  if (!match || !action) return undefined;
  return { name, match, action, headers, filterConfigs };
}

function decodeVirtualHost(m: Message, maxBodyBytes: number): VirtualHost | undefined {
  m.unsupported(['virtual_clusters', 'rate_limits', 'vh_rate_limits', 'request_mirror_policies', 'matcher', 'hedge_policy']);
  const name = m.string('name', { required: true });
  const domains = m.strings('domains', { minItems: 1, nonEmpty: true });
  const routes = m.messages('routes').map((r) => decodeRoute(r, maxBodyBytes)).filter((r): r is Route => r !== undefined);
  const requireTls = m.enumOf('require_tls', ['NONE', 'EXTERNAL_ONLY', 'ALL'] as const, 'NONE');
  const retry = m.message('retry_policy');
  const retryPolicy = retry ? decodeRetryPolicy(retry) : undefined;
  const corsMessage = m.message('cors');
  const cors = corsMessage ? decodeCorsPolicy(corsMessage) : undefined;
  const vh: VirtualHost = {
    name: name ?? '',
    domains,
    domainPatterns: domains.map(domainPattern),
    routes,
    requireTls,
    headers: decodeHeaderOperations(m),
    filterConfigs: decodePerFilterConfigs(m),
    ...(retryPolicy ? { retryPolicy } : {}),
    ...(cors ? { cors } : {}),
    includeRequestAttemptCount: m.bool('include_request_attempt_count', false),
    includeAttemptCountInResponse: m.bool('include_attempt_count_in_response', false),
  };
  return name === undefined ? undefined : vh;
}

/** Envoy rejects two virtual hosts with the same name, and a domain (case-insensitive) listed twice in one route configuration. */
function checkUnique(root: Message, hosts: readonly Message[]): void {
  const names = new Map<string, number>();
  const domains = new Map<string, string>();
  hosts.forEach((vh, i) => {
    const name = vh.fields.name;
    if (typeof name === 'string' && name !== '') {
      const first = names.get(name);
      if (first !== undefined) vh.error('name', `duplicate virtual host name '${name}' (also virtual_hosts[${first}])`);
      else names.set(name, i);
    }
    const list = Array.isArray(vh.fields.domains) ? vh.fields.domains : [];
    list.forEach((d: unknown, j: number) => {
      if (typeof d !== 'string' || d === '') return;
      const key = d.toLowerCase();
      const first = domains.get(key);
      const at = `${vh.at('domains')}[${j}]`;
      if (first !== undefined) {
        root.issues.add(at, key === '*'
          ? `only one virtual host may use the wildcard domain '*' (also ${first})`
          : `duplicate domain '${d}' (also ${first}); domains must be unique across the virtual hosts of a route configuration`);
      } else {
        domains.set(key, at);
      }
    });
  });
}

/** Reads a RouteConfiguration message; `requireName` is false for inline route configurations. */
export function readRouteConfiguration(m: Message, requireName = true): RouteConfiguration | undefined {
  m.unsupported(['cluster_specifier_plugins', 'request_mirror_policies', 'metadata']);
  const name = m.string('name', { required: requireName }) ?? '';
  const vhds = m.message('vhds');
  const vhdsSource = vhds?.message('config_source', { required: true });
  if (vhdsSource) checkAdsConfigSource(vhdsSource);
  const maxBodyBytes = m.integer('max_direct_response_body_size_bytes') ?? DEFAULT_MAX_DIRECT_RESPONSE_BODY_BYTES;
  const hostMessages = m.messages('virtual_hosts');
  const virtualHosts = hostMessages.map((vh) => decodeVirtualHost(vh, maxBodyBytes)).filter((v): v is VirtualHost => v !== undefined);
  checkUnique(m, hostMessages);
  const internalOnlyHeaders = m.strings('internal_only_headers', { nonEmpty: true }).map((h) => h.toLowerCase());
  return {
    name,
    virtualHosts,
    headers: decodeHeaderOperations(m),
    internalOnlyHeaders,
    validateClusters: m.bool('validate_clusters', false),
    ignorePortInHostMatching: m.bool('ignore_port_in_host_matching', false),
    filterConfigs: decodePerFilterConfigs(m),
    vhds: vhds !== undefined,
  };
}

/** Decodes and validates an `envoy.config.route.v3.RouteConfiguration`. */
export function decodeRouteConfiguration(plain: unknown): Result<RouteConfiguration> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  const value = m ? readRouteConfiguration(m) : undefined;
  return issues.empty && value ? ok(value) : fail(issues.list);
}

/**
 * Decodes and validates an `envoy.config.route.v3.VirtualHost` sent on its own
 * (VHDS), named `<route configuration>/<virtual host>`.
 */
export function decodeVirtualHostResource(plain: unknown): Result<VirtualHost> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  const value = m ? decodeVirtualHost(m, DEFAULT_MAX_DIRECT_RESPONSE_BODY_BYTES) : undefined;
  if (value && !value.name.includes('/')) {
    issues.add('name', `expected '<route configuration>/<virtual host>' for a virtual host sent on its own, got '${value.name}'`);
  }
  return issues.empty && value ? ok(value) : fail(issues.list);
}
