/**
 * What the route stage decides for one request: plain, immutable objects. Where
 * nothing depends on the request (a plain forward, a direct response), the same
 * object, built when the table was compiled, is returned for every request.
 *
 * Every matched decision may carry fault-injection fields: wait `delayMs`
 * first, then, when `abort` is set, answer it instead of acting on the decision
 * (response flags DI and FI).
 */
import type { HeaderOp } from './header-ops';
import type { RetryPlan } from './retry';

export type RouteDecision = ForwardDecision | RedirectDecision | DirectResponseDecision | CorsPreflightDecision | NoRouteDecision;

/** A fault abort: an HTTP status, or for gRPC an HTTP 200 with `grpc-status`. */
export interface FaultAbortDecision {
  /** HTTP status to answer (200 for gRPC aborts). */
  readonly status: number;
  /** Set for gRPC aborts: the `grpc-status` to send. */
  readonly grpcStatus?: number;
}

interface MatchedDecision {
  /** The virtual host's name. */
  readonly virtualHost: string;
  /** The route's name ('' when unnamed). */
  readonly route: string;
  /** Response header mutations, in order (route headers, then CORS headers for actual CORS requests). */
  readonly responseHeaderOps: readonly HeaderOp[];
  /** Fault delay to apply before anything else, in ms. */
  readonly delayMs?: number;
  /** Fault abort to answer instead of the decision. */
  readonly abort?: FaultAbortDecision;
}

export interface ForwardDecision extends MatchedDecision {
  readonly kind: 'forward';
  /**
   * Cluster name. From `cluster_header` it is the header's value, `''` when the
   * header is absent: the cluster stage answers `clusterNotFoundStatus` with
   * response flag NC for a cluster it does not know.
   */
  readonly cluster: string;
  /** @default 503 */
  readonly clusterNotFoundStatus: number;
  /** Whole-request timeout in ms; 0 disables it. @default 15000 */
  readonly timeoutMs: number;
  readonly idleTimeoutMs?: number;
  readonly maxStreamDurationMs?: number;
  /** The route's retry policy, or its virtual host's. */
  readonly retry?: RetryPlan;
  /**
   * Inputs of the consistent hash (ring hash / Maglev), one per hash policy that
   * yielded a value, in policy order; undefined when none did (pick at random).
   */
  readonly hashInputs?: readonly string[];
  /** Clusters to shadow this request to (already sampled by their fractions). */
  readonly mirrors: readonly string[];
  /** Path (with query) to send upstream; undefined: unchanged. */
  readonly path?: string;
  /** Authority to send upstream; undefined: unchanged (see `autoHostRewrite`). */
  readonly host?: string;
  /** Replace the authority with the chosen endpoint's hostname (`auto_host_rewrite`). */
  readonly autoHostRewrite?: boolean;
  readonly requestHeaderOps: readonly HeaderOp[];
}

export interface RedirectDecision extends MatchedDecision {
  readonly kind: 'redirect';
  readonly status: 301 | 302 | 303 | 307 | 308;
  readonly location: string;
}

export interface DirectResponseDecision extends MatchedDecision {
  readonly kind: 'direct';
  readonly status: number;
  readonly body?: Buffer;
}

/** A CORS preflight the CORS filter answers itself (200, the allow-* headers in `responseHeaderOps`). */
export interface CorsPreflightDecision extends MatchedDecision {
  readonly kind: 'corsPreflight';
  readonly status: 200;
}

/** No virtual host or no route matched: 404 with response flag NR. */
export interface NoRouteDecision {
  readonly kind: 'noRoute';
  readonly status: 404;
  readonly responseFlag: 'NR';
  /** The virtual host that matched, when one did. */
  readonly virtualHost?: string;
}

export const NO_ROUTE: NoRouteDecision = Object.freeze({ kind: 'noRoute', status: 404, responseFlag: 'NR' });
