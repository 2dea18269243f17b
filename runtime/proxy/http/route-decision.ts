import type { EndpointPool } from '../upstream/endpoint-pool';
import type { ProxyFailure } from './response-flags';
import type { RequestHead } from './request-head';

/**
 * What the route stage answers for one {@link RequestHead}. Decisions are plain,
 * immutable objects: a router may compute them once per route at configuration
 * time and return the same object for every request.
 */
export type RouteDecision = ForwardDecision | LocalResponseDecision | FailureDecision;

/** Send the request to one endpoint's connection pool and stream the answer back. */
export interface ForwardDecision {
  readonly kind: 'forward';
  /** The endpoint pool chosen (the cluster/LB stage picks it). */
  readonly pool: EndpointPool;
  /** Cluster name for logs and stats, e.g. `outbound|9080||reviews.default.svc.cluster.local`. */
  readonly cluster: string;
  /**
   * Deadline from the request's arrival to the end of the upstream response, in ms;
   * 0 disables it. @default the listener's `requestTimeoutMs`
   */
  readonly timeoutMs?: number;
  /** Replace the authority sent upstream (Host header). @default the request's authority */
  readonly hostRewrite?: string;
  /** Replace the origin-form path sent upstream. @default the request's path */
  readonly pathRewrite?: string;
  /** Extra request headers, flat `[name, value, ...]`, appended after the client's. @default none */
  readonly requestHeadersToAdd?: readonly string[];
  /** Extra response headers, flat `[name, value, ...]`. @default none */
  readonly responseHeadersToAdd?: readonly string[];
}

/** Answer locally (direct response, redirect, fault abort). */
export interface LocalResponseDecision {
  readonly kind: 'local';
  readonly status: number;
  /** @default '' */
  readonly body?: string;
  /** Flat `[name, value, ...]`; content-length is added by the engine. @default none */
  readonly headers?: readonly string[];
  /** Envoy response flag bits to log (e.g. `ResponseFlag.FI`). @default 0 */
  readonly flags?: number;
}

/** Answer with the response the failure table gives (e.g. `no-route` → 404 NR). */
export interface FailureDecision {
  readonly kind: 'failure';
  readonly failure: ProxyFailure;
}

/** The route stage: synchronous, allocation-free in the common case. */
export type Router = (head: RequestHead) => RouteDecision;

/** Builders for decisions. */
export const RouteDecision = {
  forward(pool: EndpointPool, cluster: string, options: Omit<ForwardDecision, 'kind' | 'pool' | 'cluster'> = {}): ForwardDecision {
    return { kind: 'forward', pool, cluster, ...options };
  },
  local(status: number, body = '', headers?: readonly string[], flags = 0): LocalResponseDecision {
    return { kind: 'local', status, body, headers, flags };
  },
  failure(failure: ProxyFailure): FailureDecision {
    return { kind: 'failure', failure };
  },
} as const;
