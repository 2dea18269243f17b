/**
 * What the data plane's router hands to its dispatch pool for one request: the
 * route stage's forward decision resolved against live clusters, or a local
 * response that must wait for a fault delay first.
 */
import type { Hash53 } from '../cluster';
import type { RequestHead } from '../http';
import type { FilterVerdict } from '../filters';
import type { ForwardDecision } from '../routing';
import type { UpstreamCluster } from './upstream-cluster';

/** A response answered by the proxy after a fault delay (abort, direct response, redirect). */
export interface DelayedLocalResponse {
  readonly status: number;
  readonly body: string;
  /** Flat `[name, value, ...]`. */
  readonly headers: readonly string[];
  /** Response flag bits to add (FI for an abort). */
  readonly flags: number;
  readonly details: string;
}

export interface ForwardPlan {
  /** The request the plan is for (the dispatch pool checks it is handed the same one). */
  readonly head: RequestHead;
  /** Fault delay before anything else, ms (0: none). */
  readonly delayMs: number;
  /** Forwarding: the cluster and the route decision. */
  readonly cluster: UpstreamCluster | null;
  readonly decision: ForwardDecision | null;
  /** Consistent-hash key of the request. */
  readonly hash: Hash53 | undefined;
  /** Live mirror clusters (already sampled). */
  readonly mirrors: readonly UpstreamCluster[];
  /** Set instead of `cluster`/`decision` for a delayed local response. */
  readonly local: DelayedLocalResponse | null;
  /**
   * Security filters still verifying (jwt_authn): the plan goes on only once
   * they let the request continue (with their header edits), else their
   * answer is sent. @default none
   */
  readonly gate?: Promise<FilterVerdict>;
}
