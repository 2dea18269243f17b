import { Duration } from 'cdk8s';
import type { LoadBalancerSettings } from '../api/destination-rule';
import { compact, intAtLeast, nonEmpty } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';

/** Options of the simple (non-hashing) load balancers. */
export interface SimpleLoadBalancerOptions {
  /**
   * New endpoints receive a growing share of traffic during this time (slow start).
   * @default - no warm-up
   */
  readonly warmupDuration?: Duration;
}

/** Options of a consistent-hash load balancer. */
export interface ConsistentHashOptions {
  /**
   * Minimum number of virtual nodes in the hash ring (ring hash).
   * @default - Envoy's default (1024)
   */
  readonly minimumRingSize?: number;
}

/** Cookie used as the hash key; Envoy creates it when `ttl` is given and it is missing. */
export interface HashCookieOptions {
  /** Cookie name. */
  readonly name: string;
  /**
   * Cookie path.
   * @default - none
   */
  readonly path?: string;
  /**
   * Lifetime of the generated cookie.
   * @default - a session cookie that Envoy does not generate
   */
  readonly ttl?: Duration;
}

/**
 * How a client spreads requests over the endpoints of a service
 * (Istio's `LoadBalancerSettings`).
 */
export abstract class LoadBalancer {
  /** Round robin over healthy endpoints. */
  public static roundRobin(options: SimpleLoadBalancerOptions = {}): LoadBalancer {
    return new SimpleLb('ROUND_ROBIN', options);
  }

  /** Least requests (power of two choices); Istio's default since 1.14. */
  public static leastRequest(options: SimpleLoadBalancerOptions = {}): LoadBalancer {
    return new SimpleLb('LEAST_REQUEST', options);
  }

  /** A random healthy endpoint. */
  public static random(): LoadBalancer {
    return new SimpleLb('RANDOM', {});
  }

  /** Forwards to the address the caller asked for (no balancing). */
  public static passthrough(): LoadBalancer {
    return new SimpleLb('PASSTHROUGH', {});
  }

  /** Session affinity: requests with the same key go to the same endpoint. */
  public static readonly consistentHash = {
    /** Hashes on the value of an HTTP header. */
    byHeader(name: string, options: ConsistentHashOptions = {}): LoadBalancer {
      return new HashLb({ httpHeaderName: name }, options);
    },
    /** Hashes on an HTTP cookie. */
    byCookie(cookie: HashCookieOptions, options: ConsistentHashOptions = {}): LoadBalancer {
      return new HashLb({ httpCookie: cookie }, options);
    },
    /** Hashes on the caller's IP address. */
    bySourceIp(options: ConsistentHashOptions = {}): LoadBalancer {
      return new HashLb({ useSourceIp: true }, options);
    },
    /** Hashes on a query parameter. */
    byQueryParameter(name: string, options: ConsistentHashOptions = {}): LoadBalancer {
      return new HashLb({ httpQueryParameterName: name }, options);
    },
  };

  /** @internal Istio's `LoadBalancerSettings`. */
  public abstract _render(): LoadBalancerSettings;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class SimpleLb extends LoadBalancer {
  constructor(
    private readonly simple: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'PASSTHROUGH',
    private readonly options: SimpleLoadBalancerOptions,
  ) {
    super();
  }

  public _render(): LoadBalancerSettings {
    return compact({
      simple: this.simple,
      warmupDurationSecs: this.options.warmupDuration ? istioDuration(this.options.warmupDuration) : undefined,
    }) as LoadBalancerSettings;
  }

  public _validate(): string[] {
    return durationProblems('loadBalancer.warmupDurationSecs', this.options.warmupDuration);
  }
}

type HashKey =
  | { httpHeaderName: string }
  | { httpCookie: HashCookieOptions }
  | { useSourceIp: true }
  | { httpQueryParameterName: string };

class HashLb extends LoadBalancer {
  constructor(private readonly key: HashKey, private readonly options: ConsistentHashOptions) {
    super();
  }

  public _render(): LoadBalancerSettings {
    const key = this.key;
    let rendered: Record<string, unknown>;
    if ('httpCookie' in key) {
      rendered = {
        httpCookie: compact({ name: key.httpCookie.name, path: key.httpCookie.path, ttl: key.httpCookie.ttl ? istioDuration(key.httpCookie.ttl) : undefined }),
      };
    } else {
      rendered = { ...key };
    }
    if (this.options.minimumRingSize !== undefined) {
      rendered.ringHash = { minimumRingSize: this.options.minimumRingSize };
    }
    return { consistentHash: rendered } as LoadBalancerSettings;
  }

  public _validate(): string[] {
    const key = this.key;
    const problems = intAtLeast('loadBalancer.consistentHash.ringHash.minimumRingSize', this.options.minimumRingSize, 1);
    if ('httpHeaderName' in key) problems.push(...nonEmpty('loadBalancer.consistentHash.httpHeaderName', key.httpHeaderName));
    if ('httpQueryParameterName' in key) problems.push(...nonEmpty('loadBalancer.consistentHash.httpQueryParameterName', key.httpQueryParameterName));
    if ('httpCookie' in key) {
      problems.push(...nonEmpty('loadBalancer.consistentHash.httpCookie.name', key.httpCookie.name));
      problems.push(...durationProblems('loadBalancer.consistentHash.httpCookie.ttl', key.httpCookie.ttl));
    }
    return problems;
  }
}
