/**
 * One RouteConfiguration compiled for the hot path: built once when the
 * configuration changes, then `route(request)` is a cached virtual-host lookup
 * plus an in-order scan of that host's routes (first match wins). Everything
 * that does not depend on the request — header op lists, retry plans, static
 * decisions per cluster — is computed here, so a plain forward returns a shared
 * object and allocates nothing.
 */
import type {
  CorsPolicy, FaultConfig, ForwardAction, HeaderOperations, PerFilterConfigs, RedirectAction, Route, RouteConfiguration, VirtualHost,
} from '../../xds/resources';
import { CompiledCors, compileCors } from './cors';
import { CompiledFault, compileFault } from './fault';
import { hashInputs } from './hash-inputs';
import { NO_HEADER_OPS, requestHeaderOps, responseHeaderOps } from './header-ops';
import type { RandomSource } from './random';
import { sample } from './random';
import { CompiledMatch, compileMatch } from './request-matcher';
import { RetryPlan, compileRetryPolicy } from './retry';
import { redirectLocation, rewritePrefix, rewriteRegex } from './rewrite';
import type { ForwardDecision, RouteDecision } from './route-decision';
import { NO_ROUTE } from './route-decision';
import type { RouteRequest } from './route-request';
import { VirtualHostIndex } from './virtual-host-index';

/** Names of the HTTP filters whose per-route configuration the table reads. */
export interface RouteTableOptions {
  /** @default 'envoy.filters.http.fault' */
  readonly faultFilterName?: string;
  /** @default 'envoy.filters.http.cors' */
  readonly corsFilterName?: string;
}

export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';
export const CORS_FILTER_NAME = 'envoy.filters.http.cors';

const NO_MIRRORS: readonly string[] = Object.freeze([]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Decide = (request: RouteRequest, random: RandomSource) => RouteDecision;

interface CompiledRoute {
  readonly match: CompiledMatch;
  readonly decide: Decide;
}

interface CompiledVirtualHost {
  readonly virtualHost: VirtualHost;
  readonly routes: readonly CompiledRoute[];
  readonly noRoute: RouteDecision;
}

export class RouteTable {
  /** Compiles a route configuration; call again when it changes. */
  static compile(config: RouteConfiguration, options: RouteTableOptions = {}): RouteTable {
    return new RouteTable(config, options);
  }

  readonly name: string;
  private readonly hosts: VirtualHostIndex<CompiledVirtualHost>;

  private constructor(readonly config: RouteConfiguration, options: RouteTableOptions) {
    this.name = config.name;
    const names = { fault: options.faultFilterName ?? FAULT_FILTER_NAME, cors: options.corsFilterName ?? CORS_FILTER_NAME };
    this.hosts = new VirtualHostIndex(
      config.virtualHosts.map((vh) => ({ patterns: vh.domainPatterns, target: compileVirtualHost(config, vh, names) })),
      config.ignorePortInHostMatching,
    );
  }

  /** The virtual host serving `authority` (`host[:port]`), or undefined. */
  virtualHost(authority: string): VirtualHost | undefined {
    return this.hosts.find(authority)?.virtualHost;
  }

  /** The decision for one request. */
  route(request: RouteRequest): RouteDecision {
    const vh = this.hosts.find(request.authority);
    if (!vh) return NO_ROUTE;
    const tlsRedirect = requireTlsRedirect(vh.virtualHost, request);
    if (tlsRedirect) return tlsRedirect;
    const random = request.random ?? Math.random;
    const routes = vh.routes;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i] as CompiledRoute;
      if (r.match.matches(request)) return r.decide(request, random);
    }
    return vh.noRoute;
  }
}

function requireTlsRedirect(vh: VirtualHost, request: RouteRequest): RouteDecision | undefined {
  if (vh.requireTls === 'NONE' || (request.scheme ?? 'http') === 'https') return undefined;
  if (vh.requireTls === 'EXTERNAL_ONLY' && request.header('x-envoy-internal') === 'true') return undefined;
  return {
    kind: 'redirect', virtualHost: vh.name, route: '', status: 301, responseHeaderOps: NO_HEADER_OPS,
    location: `https://${request.authority}${request.path}`,
  };
}

interface FilterNames {
  readonly fault: string;
  readonly cors: string;
}

/** The most specific per-filter config for `name`: route, then virtual host, then route configuration. */
function filterConfig(name: string, levels: readonly PerFilterConfigs[]) {
  for (const level of levels) {
    const c = level[name];
    if (c) return c;
  }
  return undefined;
}

function compileVirtualHost(config: RouteConfiguration, vh: VirtualHost, names: FilterNames): CompiledVirtualHost {
  return {
    virtualHost: vh,
    routes: vh.routes.map((r) => compileRoute(config, vh, r, names)),
    noRoute: Object.freeze({ kind: 'noRoute', status: 404, responseFlag: 'NR', virtualHost: vh.name }),
  };
}

function compileRoute(config: RouteConfiguration, vh: VirtualHost, route: Route, names: FilterNames): CompiledRoute {
  const levels = [route.filterConfigs, vh.filterConfigs, config.filterConfigs];
  const faultConfig = filterConfig(names.fault, levels);
  const fault: FaultConfig | undefined = faultConfig?.kind === 'fault' ? faultConfig.config : undefined;
  const corsConfig = filterConfig(names.cors, levels);
  const corsPolicy: CorsPolicy | undefined = corsConfig?.kind === 'cors' ? corsConfig.policy
    : corsConfig?.kind === 'disabled' ? undefined : vh.cors;
  const match = compileMatch(route.match);
  const base = { virtualHost: vh.name, route: route.name };
  const action = route.action;
  let decide: Decide;
  if (action.kind === 'forward') {
    decide = compileForward(config, vh, route, action, match, base);
  } else if (action.kind === 'redirect') {
    decide = compileRedirect(config, vh, route, action, match, base);
  } else {
    const direct: RouteDecision = Object.freeze({
      kind: 'direct', ...base, status: action.status, responseHeaderOps: responseHeaderOps([route.headers, vh.headers, config.headers]),
      ...(action.body ? { body: action.body } : {}),
    });
    decide = () => direct;
  }
  return { match, decide: withFilters(decide, fault ? compileFault(fault) : undefined, corsPolicy ? compileCors(corsPolicy) : undefined, base) };
}

/** Wraps an action with the fault filter, then the CORS filter (Istio's filter order). */
function withFilters(decide: Decide, fault: CompiledFault | undefined, cors: CompiledCors | undefined, base: { virtualHost: string; route: string }): Decide {
  if (!fault && !cors) return decide;
  return (request, random) => {
    const f = fault?.evaluate(random);
    const c = cors?.evaluate(request, random);
    if (!f && !c) return decide(request, random);
    let d: Mutable<RouteDecision>;
    if (c?.kind === 'preflight') {
      d = { kind: 'corsPreflight', ...base, status: 200, responseHeaderOps: c.headers };
    } else {
      d = { ...decide(request, random) } as Mutable<RouteDecision>;
      if (d.kind === 'noRoute') return d;
      if (c) d.responseHeaderOps = d.responseHeaderOps.length === 0 ? c.headers : [...d.responseHeaderOps, ...c.headers];
    }
    if (f) {
      if (f.delayMs !== undefined) d.delayMs = f.delayMs;
      if (f.abort !== undefined) d.abort = f.abort;
    }
    return d as RouteDecision;
  };
}

function compileRedirect(
  config: RouteConfiguration, vh: VirtualHost, route: Route, action: RedirectAction, match: CompiledMatch, base: { virtualHost: string; route: string },
): Decide {
  const ops = responseHeaderOps([route.headers, vh.headers, config.headers]);
  return (request) => ({
    kind: 'redirect', ...base, status: action.status, responseHeaderOps: ops,
    location: redirectLocation(action, request, match.matchedLength(request.path)),
  });
}

interface Target {
  readonly decision: ForwardDecision;
  /** Host rewrite from a header, read per request. */
  readonly hostHeader?: string;
}

function compileForward(
  config: RouteConfiguration, vh: VirtualHost, route: Route, action: ForwardAction, match: CompiledMatch, base: { virtualHost: string; route: string },
): Decide {
  const retryPolicy = action.retryPolicy ?? vh.retryPolicy;
  const retry: RetryPlan | undefined = retryPolicy ? compileRetryPolicy(retryPolicy) : undefined;
  const staticMirrors = action.mirrors.every((m) => m.fraction >= 1) ? Object.freeze(action.mirrors.map((m) => m.cluster)) : undefined;
  const hostRewrite = action.hostRewrite;
  const target = (cluster: string, wcHeaders: HeaderOperations | undefined, wcHost?: string): Target => {
    const levels = [wcHeaders, route.headers, vh.headers, config.headers];
    const host = wcHost ?? (hostRewrite?.kind === 'literal' ? hostRewrite.value : undefined);
    const decision: ForwardDecision = Object.freeze({
      kind: 'forward', ...base,
      cluster,
      clusterNotFoundStatus: action.clusterNotFoundStatus,
      timeoutMs: action.timeoutMs,
      ...(action.idleTimeoutMs !== undefined ? { idleTimeoutMs: action.idleTimeoutMs } : {}),
      ...(action.maxStreamDurationMs !== undefined ? { maxStreamDurationMs: action.maxStreamDurationMs } : {}),
      ...(retry ? { retry } : {}),
      mirrors: staticMirrors ?? NO_MIRRORS,
      ...(host !== undefined ? { host } : {}),
      ...(wcHost === undefined && hostRewrite?.kind === 'auto' ? { autoHostRewrite: true } : {}),
      requestHeaderOps: requestHeaderOps(levels),
      responseHeaderOps: responseHeaderOps(levels),
    });
    return wcHost === undefined && hostRewrite?.kind === 'header' ? { decision, hostHeader: hostRewrite.header } : { decision };
  };

  const choice = action.cluster;
  let pick: (request: RouteRequest, random: RandomSource) => Target;
  let clusterHeader: string | undefined;
  if (choice.kind === 'cluster') {
    const t = target(choice.name, undefined);
    pick = () => t;
  } else if (choice.kind === 'header') {
    const t = target('', undefined);
    clusterHeader = choice.header;
    pick = () => t;
  } else {
    const targets = choice.clusters.map((c) => target(c.name, c.headers, c.hostRewrite));
    const bounds: number[] = [];
    let sum = 0;
    for (const c of choice.clusters) bounds.push((sum += c.weight));
    const total = choice.totalWeight;
    pick = (_request, random) => {
      const x = Math.floor(random() * total);
      for (let i = 0; i < bounds.length; i++) if (x < (bounds[i] as number)) return targets[i] as Target;
      return targets[targets.length - 1] as Target;
    };
  }

  const { hashPolicies, mirrors, prefixRewrite, regexRewrite } = action;
  const dynamic = clusterHeader !== undefined || hashPolicies.length > 0 || staticMirrors === undefined
    || prefixRewrite !== undefined || regexRewrite !== undefined || hostRewrite?.kind === 'header';
  if (!dynamic) return (request, random) => pick(request, random).decision;

  return (request, random) => {
    const t = pick(request, random);
    const d: Mutable<ForwardDecision> = { ...t.decision };
    if (clusterHeader !== undefined) d.cluster = request.header(clusterHeader) ?? '';
    if (hashPolicies.length > 0) {
      const inputs = hashInputs(hashPolicies, request);
      if (inputs) d.hashInputs = inputs;
    }
    if (staticMirrors === undefined) {
      let sampled: string[] | undefined;
      for (const m of mirrors) if (sample(m.fraction, random)) (sampled ??= []).push(m.cluster);
      d.mirrors = sampled ?? NO_MIRRORS;
    }
    if (prefixRewrite !== undefined) d.path = rewritePrefix(request.path, match.matchedLength(request.path), prefixRewrite);
    else if (regexRewrite !== undefined) d.path = rewriteRegex(request.path, regexRewrite);
    if (t.hostHeader !== undefined) {
      const h = request.header(t.hostHeader);
      if (h !== undefined && h !== '') d.host = h;
    }
    return d;
  };
}
