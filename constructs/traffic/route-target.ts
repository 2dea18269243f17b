import type { Destination, HTTPRouteDestination } from '../api/virtual-service';
import type { IMeshServiceTarget } from '../service-target';
import { intInRange, nonEmpty, portNumber } from './private/checks';

/** Options of a single destination. */
export interface DestinationOptions {
  /**
   * Port of the destination service.
   * @default - not set (Istio picks the only port, or the port the request came in on)
   */
  readonly port?: number;
}

/** Options of a destination that is another mesh service. */
export interface ServiceDestinationOptions extends DestinationOptions {
  /**
   * Version (subset) of that service.
   * @default - all versions
   */
  readonly version?: string;
}

/** One weighted destination of a `RouteTarget.weighted` split. */
export interface WeightedTarget {
  /** A single-destination target (`RouteTarget.version`, `.service`, `.host`). */
  readonly target: RouteTarget;
  /** Share of traffic, an integer 0..100; the weights of a route sum to 100. */
  readonly weight: number;
}

/**
 * Where a route forwards its requests: one version of the service, a weighted split
 * across versions, another mesh service, or a host (a ServiceEntry host, for instance).
 */
export abstract class RouteTarget {
  /** All requests to version `version` of the service the route belongs to. */
  public static version(version: string, options: DestinationOptions = {}): RouteTarget {
    return new SingleTarget({ kind: 'own', version, port: options.port });
  }

  /** All requests to the service the route belongs to, any version. */
  public static anyVersion(options: DestinationOptions = {}): RouteTarget {
    return new SingleTarget({ kind: 'own', port: options.port });
  }

  /**
   * A weighted split across versions of the route's service: `{ v1: 50, v3: 50 }`.
   * Weights are integers 0..100 and must sum to 100.
   */
  public static split(weights: { readonly [version: string]: number }, options: DestinationOptions = {}): RouteTarget {
    return new WeightedTargets(
      Object.entries(weights).map(([version, weight]) => ({ target: RouteTarget.version(version, options), weight })),
    );
  }

  /** A weighted split across any single-destination targets (versions, services, hosts). */
  public static weighted(targets: readonly WeightedTarget[]): RouteTarget {
    return new WeightedTargets(targets);
  }

  /** Another mesh service (optionally one of its versions). */
  public static service(service: IMeshServiceTarget, options: ServiceDestinationOptions = {}): RouteTarget {
    return new SingleTarget({ kind: 'service', service, version: options.version, port: options.port });
  }

  /** A host by name: a mesh FQDN or a ServiceEntry host such as `httpbin.org`. */
  public static host(host: string, options: DestinationOptions = {}): RouteTarget {
    return new SingleTarget({ kind: 'host', host, port: options.port });
  }

  /** @internal The route's `route` list, for routes of `owner`. */
  public abstract _render(owner: IMeshServiceTarget): HTTPRouteDestination[];

  /** @internal Problems, each starting with a field name under the route. */
  public abstract _validate(owner: IMeshServiceTarget): string[];

  /** @internal Versions of `owner` this target sends to (for the DestinationRule subsets). */
  public abstract _ownVersions(): string[];
}

type Single =
  | { kind: 'own'; version?: string; port?: number }
  | { kind: 'service'; service: IMeshServiceTarget; version?: string; port?: number }
  | { kind: 'host'; host: string; port?: number };

class SingleTarget extends RouteTarget {
  constructor(public readonly single: Single) {
    super();
  }

  public _destination(owner: IMeshServiceTarget): Destination {
    const s = this.single;
    const host = s.kind === 'own' ? owner.fqdn : s.kind === 'service' ? s.service.fqdn : s.host;
    const d: Record<string, unknown> = { host };
    if (s.kind !== 'host' && s.version !== undefined) {
      d.subset = s.version;
    }
    if (s.port !== undefined) {
      d.port = { number: s.port };
    }
    return d as Destination;
  }

  /** How the destination is named in messages (`v1`, `ratings/v2`, `httpbin.org`). */
  public _label(): string {
    const s = this.single;
    if (s.kind === 'own') return s.version ?? '(any version)';
    if (s.kind === 'service') return s.version ? `${s.service.serviceName}/${s.version}` : s.service.serviceName;
    return s.host;
  }

  public _render(owner: IMeshServiceTarget): HTTPRouteDestination[] {
    return [{ destination: this._destination(owner) }];
  }

  public _validate(owner: IMeshServiceTarget, field = 'route[0].destination'): string[] {
    const s = this.single;
    const problems = portNumber(`${field}.port.number`, s.port);
    if (s.kind === 'host') {
      problems.push(...nonEmpty(`${field}.host`, s.host));
    } else if (s.version !== undefined) {
      const svc = s.kind === 'own' ? owner : s.service;
      if (!svc.versions.includes(s.version)) {
        problems.push(`${field}.subset names version '${s.version}', but ${svc.serviceName} has versions ${listOrNone(svc.versions)}`);
      }
    }
    return problems;
  }

  public _ownVersions(): string[] {
    return this.single.kind === 'own' && this.single.version !== undefined ? [this.single.version] : [];
  }
}

class WeightedTargets extends RouteTarget {
  constructor(private readonly targets: readonly WeightedTarget[]) {
    super();
  }

  public _render(owner: IMeshServiceTarget): HTTPRouteDestination[] {
    return this.targets.flatMap((t) => t.target._render(owner).map((d) => ({ ...d, weight: t.weight })));
  }

  public _validate(owner: IMeshServiceTarget): string[] {
    const problems: string[] = [];
    if (this.targets.length === 0) {
      return ['route must have at least one destination (got an empty split)'];
    }
    const labels: string[] = [];
    let sum = 0;
    this.targets.forEach((t, i) => {
      if (!(t.target instanceof SingleTarget)) {
        problems.push(`route[${i}] must be a single destination (got a nested split)`);
        return;
      }
      problems.push(...t.target._validate(owner, `route[${i}].destination`));
      problems.push(...intInRange(`route[${i}].weight (${t.target._label()})`, t.weight, 0, 100));
      labels.push(`${t.target._label()}=${t.weight}`);
      sum += t.weight;
    });
    const seen = new Set<string>();
    for (const t of this.targets) {
      if (t.target instanceof SingleTarget) {
        const key = JSON.stringify(t.target._destination(owner));
        if (seen.has(key)) {
          problems.push(`route names destination ${t.target._label()} more than once (expected each destination once)`);
        }
        seen.add(key);
      }
    }
    if (sum !== 100) {
      problems.unshift(`route weights must sum to 100 (got ${sum}: ${labels.join(', ')})`);
    }
    return problems;
  }

  public _ownVersions(): string[] {
    return this.targets.flatMap((t) => t.target._ownVersions());
  }
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}
