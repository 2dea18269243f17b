/**
 * One RouteConfiguration compiled for the hot path: built once when the
 * configuration changes, then `route(request)` is a cached virtual-host lookup
 * plus an in-order scan of that host's routes (first match wins). Everything
 * that does not depend on the request — header op lists, retry plans, static
 * decisions per cluster — is computed here, so a plain forward returns a shared
 * object and allocates nothing.
 */
import type {
  CorsPolicy, FaultConfig, ForwardAction, HeaderOperations, PerFilterConfigs, Route, RouteConfiguration, VirtualHost,
} from '../../xds/resources';
import { CompiledCors, compileCors } from './cors';
import { CompiledFault, FaultOutcome, compileFault } from './fault';
import { hashInputs } from './hash-inputs';
import { HeaderOp, NO_HEADER_OPS, requestHeaderOps, responseHeaderOps } from './header-ops';
import type { RandomSource } from './random';
import { sample } from './random';
import { CompiledMatch, compileMatch } from './request-matcher';
import { RetryPlan, compileRetryPolicy } from './retry';
import { redirectLocation, rewritePrefix, rewriteRegex } from './rewrite';
import type { DirectResponseDecision, ForwardDecision, RouteDecision } from './route-decision';
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

/** An action: builds the decision, with the fault and CORS filters' outcome when they produced one. */
type Decide = (request: RouteRequest, random: RandomSource, fault?: FaultOutcome, corsHeaders?: readonly HeaderOp[]) => RouteDecision;

interface Base {
  readonly virtualHost: string;
  readonly route: string;
}

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
  const base: Base = { virtualHost: vh.name, route: route.name };
  const action = route.action;
  const responseOps = responseHeaderOps([route.headers, vh.headers, config.headers]);
  let decide: Decide;
  if (action.kind === 'forward') {
    decide = compileForward(config, vh, route, action, match, base);
  } else if (action.kind === 'redirect') {
    decide = (request, _random, f, cors) => ({
      kind: 'redirect', virtualHost: base.virtualHost, route: base.route, status: action.status,
      location: redirectLocation(action, request, match.matchedLength(request.path)),
      responseHeaderOps: withCors(responseOps, cors), delayMs: f?.delayMs, abort: f?.abort,
    });
  } else {
    const direct = (f: FaultOutcome | undefined, cors: readonly HeaderOp[] | undefined): DirectResponseDecision => ({
      kind: 'direct', virtualHost: base.virtualHost, route: base.route, status: action.status, body: action.body,
      responseHeaderOps: withCors(responseOps, cors), delayMs: f?.delayMs, abort: f?.abort,
    });
    const shared = Object.freeze(direct(undefined, undefined));
    decide = (_request, _random, f, cors) => (f || cors ? direct(f, cors) : shared);
  }
  return { match, decide: withFilters(decide, fault ? compileFault(fault) : undefined, corsPolicy ? compileCors(corsPolicy) : undefined, base) };
}

function withCors(ops: readonly HeaderOp[], cors: readonly HeaderOp[] | undefined): readonly HeaderOp[] {
  if (!cors) return ops;
  return ops.length === 0 ? cors : [...ops, ...cors];
}

/**
 * Runs the fault filter, then the CORS filter (Istio's filter order), and hands
 * their outcome to the action, which builds the decision in one object.
 */
function withFilters(decide: Decide, fault: CompiledFault | undefined, cors: CompiledCors | undefined, base: Base): Decide {
  if (!fault && !cors) return decide;
  return (request, random) => {
    const f = fault?.evaluate(random);
    const c = cors?.evaluate(request, random);
    if (c?.kind === 'preflight') {
      return {
        kind: 'corsPreflight', virtualHost: base.virtualHost, route: base.route, status: 200, responseHeaderOps: c.headers,
        delayMs: f?.delayMs, abort: f?.abort,
      };
    }
    return decide(request, random, f, c?.headers);
  };
}

interface Target {
  readonly decision: ForwardDecision;
  /** Host rewrite from a header, read per request. */
  readonly hostHeader?: string;
}

/** Every forward decision has this one shape (absent fields are undefined), so readers stay monomorphic. */
function makeForward(
  t: ForwardDecision, cluster: string, hashInputs: readonly string[] | undefined, mirrors: readonly string[], path: string | undefined,
  host: string | undefined, responseOps: readonly HeaderOp[], f: FaultOutcome | undefined,
): ForwardDecision {
  return {
    kind: 'forward', virtualHost: t.virtualHost, route: t.route, cluster, clusterNotFoundStatus: t.clusterNotFoundStatus,
    timeoutMs: t.timeoutMs, idleTimeoutMs: t.idleTimeoutMs, maxStreamDurationMs: t.maxStreamDurationMs, retry: t.retry,
    hashInputs, mirrors, path, host, autoHostRewrite: t.autoHostRewrite, requestHeaderOps: t.requestHeaderOps,
    responseHeaderOps: responseOps, delayMs: f?.delayMs, abort: f?.abort,
  };
}

function compileForward(
  config: RouteConfiguration, vh: VirtualHost, route: Route, action: ForwardAction, match: CompiledMatch, base: Base,
): Decide {
  const retryPolicy = action.retryPolicy ?? vh.retryPolicy;
  const retry: RetryPlan | undefined = retryPolicy ? compileRetryPolicy(retryPolicy) : undefined;
  const staticMirrors = action.mirrors.every((m) => m.fraction >= 1) ? Object.freeze(action.mirrors.map((m) => m.cluster)) : undefined;
  const hostRewrite = action.hostRewrite;
  const target = (cluster: string, wcHeaders: HeaderOperations | undefined, wcHost?: string): Target => {
    const levels = [wcHeaders, route.headers, vh.headers, config.headers];
    const template: ForwardDecision = {
      kind: 'forward', virtualHost: base.virtualHost, route: base.route, cluster, clusterNotFoundStatus: action.clusterNotFoundStatus,
      timeoutMs: action.timeoutMs, idleTimeoutMs: action.idleTimeoutMs, maxStreamDurationMs: action.maxStreamDurationMs, retry,
      mirrors: NO_MIRRORS, autoHostRewrite: wcHost === undefined && hostRewrite?.kind === 'auto' ? true : undefined,
      requestHeaderOps: requestHeaderOps(levels), responseHeaderOps: responseHeaderOps(levels),
    };
    const host = wcHost ?? (hostRewrite?.kind === 'literal' ? hostRewrite.value : undefined);
    const decision = Object.freeze(makeForward(template, cluster, undefined, staticMirrors ?? NO_MIRRORS, undefined, host, template.responseHeaderOps, undefined));
    return wcHost === undefined && hostRewrite?.kind === 'header' ? { decision, hostHeader: hostRewrite.header } : { decision };
  };

  const choice = action.cluster;
  let pick: (random: RandomSource) => Target;
  let clusterHeader: string | undefined;
  if (choice.kind === 'cluster' || choice.kind === 'header') {
    const t = target(choice.kind === 'cluster' ? choice.name : '', undefined);
    if (choice.kind === 'header') clusterHeader = choice.header;
    pick = () => t;
  } else {
    const targets = choice.clusters.map((c) => target(c.name, c.headers, c.hostRewrite));
    const bounds: number[] = [];
    let sum = 0;
    for (const c of choice.clusters) bounds.push((sum += c.weight));
    const total = choice.totalWeight;
    pick = (random) => {
      const x = Math.floor(random() * total);
      for (let i = 0; i < bounds.length; i++) if (x < (bounds[i] as number)) return targets[i] as Target;
      return targets[targets.length - 1] as Target;
    };
  }

  const { hashPolicies, mirrors, prefixRewrite, regexRewrite } = action;
  const dynamic = clusterHeader !== undefined || hashPolicies.length > 0 || staticMirrors === undefined
    || prefixRewrite !== undefined || regexRewrite !== undefined || hostRewrite?.kind === 'header';
  if (!dynamic) {
    return (_request, random, f, cors) => {
      const d = pick(random).decision;
      return f || cors ? makeForward(d, d.cluster, undefined, d.mirrors, undefined, d.host, withCors(d.responseHeaderOps, cors), f) : d;
    };
  }

  return (request, random, f, cors) => {
    const t = pick(random);
    const d = t.decision;
    const cluster = clusterHeader !== undefined ? request.header(clusterHeader) ?? '' : d.cluster;
    const inputs = hashPolicies.length > 0 ? hashInputs(hashPolicies, request) : undefined;
    let sampled = d.mirrors;
    if (staticMirrors === undefined) {
      let list: string[] | undefined;
      for (const m of mirrors) if (sample(m.fraction, random)) (list ??= []).push(m.cluster);
      sampled = list ?? NO_MIRRORS;
    }
    let path: string | undefined;
    if (prefixRewrite !== undefined) path = rewritePrefix(request.path, match.matchedLength(request.path), prefixRewrite);
    else if (regexRewrite !== undefined) path = rewriteRegex(request.path, regexRewrite);
    let host = d.host;
    if (t.hostHeader !== undefined) {
      const h = request.header(t.hostHeader);
      if (h !== undefined && h !== '') host = h;
    }
    return makeForward(d, cluster, inputs, sampled, path, host, withCors(d.responseHeaderOps, cors), f);
  };
}
