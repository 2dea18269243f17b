import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { DestinationRuleSpec, Subset } from '../api/destination-rule';
import type { HTTPRoute, VirtualServiceSpec } from '../api/virtual-service';
import type { IMeshServiceTarget } from '../service-target';
import { Cors } from './cors';
import { DirectResponse } from './direct-response';
import { Fault } from './fault';
import { HeaderOps } from './header-ops';
import { HttpMatch } from './http-match';
import { Mirror } from './mirror';
import { compact, DNS1123_LABEL, nonEmpty, within } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';
import { DestinationRule, VirtualService } from '../istio';
import { optionalResources, pathOf } from './private/emit';
import { Redirect } from './redirect';
import { Retry } from './retry-policy';
import { Rewrite } from './rewrite';
import { RouteTarget } from './route-target';
import { renderTrafficPolicy, validateTrafficPolicy } from './private/traffic-policy';
import { TrafficPolicyOptions } from './traffic-policy';

/** One HTTP route of a service: when it applies and what it does. */
export interface HttpRouteOptions {
  /**
   * Route name (shows in access logs and stats).
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Conditions, OR'ed (use `HttpMatch.all` to AND them). Routes are tried in the
   * order they were added and the first match wins, as in Istio.
   * @default - matches every request
   */
  readonly match?: readonly HttpMatch[];
  /**
   * Where to forward. Exactly one of `to`, `redirect`, `directResponse` is needed.
   * @default - none
   */
  readonly to?: RouteTarget;
  /** Answer with a redirect instead of forwarding. @default - none */
  readonly redirect?: Redirect;
  /** Answer directly instead of forwarding. @default - none */
  readonly directResponse?: DirectResponse;
  /** Overall request timeout. @default - no timeout (Istio's default) */
  readonly timeout?: Duration;
  /** Retry policy. @default - Istio's default (2 attempts on connect failures, refused streams, unavailable, cancelled, retriable status codes) */
  readonly retries?: Retry;
  /** Fault injection. @default - none */
  readonly fault?: Fault;
  /** Copy requests to another destination. @default - none */
  readonly mirror?: Mirror;
  /** Header changes. @default - none */
  readonly headers?: HeaderOps;
  /** Path/authority rewrite before forwarding. @default - none */
  readonly rewrite?: Rewrite;
  /** CORS policy. @default - none */
  readonly cors?: Cors;
}

/** Options of a version (a DestinationRule subset). */
export interface VersionOptions {
  /**
   * Labels that select the version's workloads.
   * @default { version: <version> }
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Policies for this version only; they override the service-wide ones.
   * @default - the service-wide policy
   */
  readonly trafficPolicy?: TrafficPolicyOptions;
}

/** Props of `ServiceTraffic` without the service (for helpers that supply it). */
export interface ServiceTrafficBaseProps {
  /**
   * Hosts the routes apply to. Add external names (`bookinfo.example.com`) when binding to a gateway.
   * @default [service.fqdn]
   */
  readonly hosts?: readonly string[];
  /**
   * Gateways (`<namespace>/<name>`) that apply these routes; see `bindTo`.
   * @default - none: the routes apply to sidecars only
   */
  readonly gateways?: readonly string[];
  /**
   * When bound to gateways, also apply the routes to sidecars (adds `mesh`).
   * @default true
   */
  readonly includeMesh?: boolean;
  /**
   * Service-wide traffic policy.
   * @default - none
   */
  readonly trafficPolicy?: TrafficPolicyOptions;
  /**
   * Name of the VirtualService and DestinationRule.
   * @default service.serviceName
   */
  readonly name?: string;
  /**
   * Namespaces the resources are visible to (`.` own, `*` all).
   * @default - all namespaces
   */
  readonly exportTo?: readonly string[];
}

/** Props of `ServiceTraffic`. */
export interface ServiceTrafficProps extends ServiceTrafficBaseProps {
  /** The service whose traffic this describes. */
  readonly service: IMeshServiceTarget;
}

/** Default of `includeMesh`. */
const DEFAULT_INCLUDE_MESH = true;

/**
 * How requests to one mesh service are routed and handled: the service's
 * VirtualService (routes, in the order added) and DestinationRule (versions as
 * subsets, traffic policy). Everything renders at synth, so routes and policies
 * can be added after construction. No route: no VirtualService. No subset and
 * no policy: no DestinationRule.
 *
 * @example
 * const reviews = new ServiceTraffic(chart, 'reviews', { service });
 * reviews.addRoute({ match: [HttpMatch.header('end-user', 'jason')], to: RouteTarget.version('v2') });
 * reviews.addRoute({ to: RouteTarget.split({ v1: 50, v3: 50 }) });
 */
export class ServiceTraffic extends Construct {
  /** The service. */
  public readonly service: IMeshServiceTarget;
  /** Name of the generated VirtualService and DestinationRule. */
  public readonly resourceName: string;

  private readonly routes: HttpRouteOptions[] = [];
  private readonly hosts: string[];
  private readonly gateways: string[];
  private readonly includeMesh: boolean;
  private readonly extraVersions = new Map<string, VersionOptions>();
  private trafficPolicy: TrafficPolicyOptions | undefined;
  private readonly exportTo: readonly string[] | undefined;
  private readonly sync: () => void;

  constructor(scope: Construct, id: string, props: ServiceTrafficProps) {
    super(scope, id);
    this.service = props.service;
    this.resourceName = props.name ?? props.service.serviceName;
    this.hosts = [...(props.hosts ?? [props.service.fqdn])];
    this.gateways = [...(props.gateways ?? [])];
    this.includeMesh = props.includeMesh ?? DEFAULT_INCLUDE_MESH;
    this.trafficPolicy = props.trafficPolicy;
    this.exportTo = props.exportTo;

    const metadata = { name: this.resourceName, namespace: this.service.namespace };
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
    this.sync = optionalResources(this, [
      {
        id: 'VirtualService',
        needed: () => this.routes.length > 0,
        create: (scope, id) => new VirtualService(scope, id, {
          metadata,
          spec: Lazy.any({ produce: () => this.renderVirtualService() }) as unknown as VirtualServiceSpec,
        }),
      },
      {
        id: 'DestinationRule',
        needed: () => this.subsetNames().length > 0 || renderTrafficPolicy(this.trafficPolicy) !== undefined,
        create: (scope, id) => new DestinationRule(scope, id, {
          metadata,
          spec: Lazy.any({ produce: () => this.renderDestinationRule() }) as unknown as DestinationRuleSpec,
        }),
      },
    ]);
  }

  /** Adds an HTTP route after those already added (the first matching route wins). */
  public addRoute(route: HttpRouteOptions): this {
    this.routes.push(route);
    this.sync();
    return this;
  }

  /**
   * Declares a version (subset) beyond `service.versions`, or changes the labels or
   * policy of a known one.
   */
  public addVersion(version: string, options: VersionOptions = {}): this {
    this.extraVersions.set(version, { ...this.extraVersions.get(version), ...options });
    this.sync();
    return this;
  }

  /** Sets the policy of one version, overriding the service-wide policy. */
  public setVersionPolicy(version: string, policy: TrafficPolicyOptions): this {
    return this.addVersion(version, { trafficPolicy: policy });
  }

  /** Sets (replaces) the service-wide traffic policy. */
  public setTrafficPolicy(policy: TrafficPolicyOptions): this {
    this.trafficPolicy = policy;
    this.sync();
    return this;
  }

  /** Applies the routes at a gateway (`<namespace>/<name>`), optionally for extra hosts. */
  public bindTo(gateway: string, options: { readonly hosts?: readonly string[] } = {}): this {
    if (!this.gateways.includes(gateway)) {
      this.gateways.push(gateway);
    }
    for (const h of options.hosts ?? []) {
      this.addHost(h);
    }
    return this;
  }

  /** Adds a host the routes apply to (e.g. a public name served by a gateway). */
  public addHost(host: string): this {
    if (!this.hosts.includes(host)) {
      this.hosts.push(host);
    }
    return this;
  }

  /** The service as routes see it: its versions plus those added with `addVersion`. */
  private owner(): IMeshServiceTarget {
    const s = this.service;
    return {
      serviceName: s.serviceName,
      namespace: s.namespace,
      fqdn: s.fqdn,
      ports: s.ports,
      versions: this.subsetNames(),
    };
  }

  private subsetNames(): string[] {
    const names = [...this.service.versions];
    for (const v of this.extraVersions.keys()) {
      if (!names.includes(v)) {
        names.push(v);
      }
    }
    return names;
  }

  private renderVirtualService(): VirtualServiceSpec {
    const owner = this.owner();
    const gateways = this.gateways.length > 0 ? [...this.gateways, ...(this.includeMesh ? ['mesh'] : [])] : undefined;
    return compact({
      hosts: [...this.hosts],
      gateways,
      http: this.routes.map((r) => renderRoute(r, owner)),
      exportTo: this.exportTo ? [...this.exportTo] : undefined,
    }) as VirtualServiceSpec;
  }

  private renderDestinationRule(): DestinationRuleSpec {
    const subsets: Subset[] = this.subsetNames().map((v) => {
      const o = this.extraVersions.get(v) ?? {};
      return compact({
        name: v,
        labels: { ...(o.labels ?? { version: v }) },
        trafficPolicy: renderTrafficPolicy(o.trafficPolicy),
      }) as Subset;
    });
    return compact({
      host: this.service.fqdn,
      trafficPolicy: renderTrafficPolicy(this.trafficPolicy),
      subsets: subsets.length > 0 ? subsets : undefined,
      exportTo: this.exportTo ? [...this.exportTo] : undefined,
    }) as DestinationRuleSpec;
  }

  private validateIntent(): string[] {
    const owner = this.owner();
    const problems: string[] = [];
    this.hosts.forEach((h, i) => problems.push(...nonEmpty(`hosts[${i}]`, h)));
    this.gateways.forEach((g, i) => {
      if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(g)) {
        problems.push(`gateways[${i}] must be <namespace>/<name> or <name> of a Gateway (got ${JSON.stringify(g)})`);
      }
    });
    this.routes.forEach((r, i) => problems.push(...validateRoute(r, i, owner)));
    const catchAll = this.routes.findIndex((r) => (r.match ?? []).length === 0);
    if (catchAll >= 0 && catchAll < this.routes.length - 1) {
      problems.push(`http[${catchAll}] matches every request, so the routes after it (http[${catchAll + 1}..${this.routes.length - 1}]) never match; add it last (expected the match-all route last, got it at position ${catchAll} of ${this.routes.length})`);
    }
    for (const v of this.subsetNames()) {
      if (!DNS1123_LABEL.test(v)) {
        problems.push(`subsets: version ${JSON.stringify(v)} must be a DNS-1123 label to be a subset name (lower-case letters, digits, '-')`);
      }
    }
    problems.push(...validateTrafficPolicy('trafficPolicy', this.trafficPolicy));
    for (const [v, o] of this.extraVersions) {
      problems.push(...validateTrafficPolicy(`subsets[${v}].trafficPolicy`, o.trafficPolicy));
    }
    return problems;
  }
}

function renderRoute(r: HttpRouteOptions, owner: IMeshServiceTarget): HTTPRoute {
  return compact({
    name: r.name,
    match: r.match && r.match.length > 0 ? r.match.map((m) => m._render()) : undefined,
    route: r.to?._render(owner),
    redirect: r.redirect?._render(),
    directResponse: r.directResponse?._render(),
    rewrite: r.rewrite?._render(),
    timeout: r.timeout ? istioDuration(r.timeout) : undefined,
    retries: r.retries?._render(),
    fault: r.fault?._render(),
    mirror: r.mirror?._renderDestination(),
    mirrorPercentage: r.mirror ? { value: r.mirror._renderPercentage() } : undefined,
    corsPolicy: r.cors?._render(),
    headers: r.headers?._render(),
  }) as HTTPRoute;
}

function validateRoute(r: HttpRouteOptions, i: number, owner: IMeshServiceTarget): string[] {
  const at = r.name ? `http[${i}] (${r.name})` : `http[${i}]`;
  const problems: string[] = [];
  const actions = (['to', 'redirect', 'directResponse'] as const).filter((k) => r[k] !== undefined);
  if (actions.length !== 1) {
    problems.push(`${at} must have exactly one of to, redirect, directResponse (got ${actions.length === 0 ? 'none' : actions.join(' and ')})`);
  }
  if (r.rewrite && !r.to) {
    problems.push(`${at}.rewrite needs a route that forwards (to), not a redirect or direct response`);
  }
  if (r.fault && !r.to) {
    problems.push(`${at}.fault needs a route that forwards (to), not a redirect or direct response`);
  }
  (r.match ?? []).forEach((m, j) => problems.push(...within(`${at}.match[${j}]`, m._validate())));
  if (r.to) problems.push(...within(at, r.to._validate(owner)));
  if (r.redirect) problems.push(...within(at, r.redirect._validate()));
  if (r.directResponse) problems.push(...within(at, r.directResponse._validate()));
  if (r.rewrite) problems.push(...within(at, r.rewrite._validate()));
  problems.push(...within(at, durationProblems('timeout', r.timeout)));
  if (r.retries) problems.push(...within(`${at}.retries`, r.retries._validate()));
  if (r.fault) problems.push(...within(`${at}.fault`, r.fault._validate()));
  if (r.mirror) problems.push(...within(at, r.mirror._validate()));
  if (r.headers) problems.push(...within(`${at}.headers`, r.headers._validate()));
  if (r.cors) problems.push(...within(at, r.cors._validate()));
  return problems;
}
