/**
 * The route stage of one HTTP connection manager: its compiled
 * {@link RouteTable} (swapped atomically when RDS changes; a request keeps the
 * decision it got) turned into the engine's decisions. Plain local answers
 * (no route, direct responses, redirects, CORS preflights, fault aborts) go
 * back to the engine as local decisions; forwards and anything delayed by a
 * fault go through the {@link DispatchPool}.
 */
import { HashCombiner } from '../cluster';
import type { FilterResponse, FilterVerdict, HttpFilterChain } from '../filters';
import { FAILURES, RequestHead, ResponseFlag, RouteDecision as EngineDecision, Router } from '../http';
import { applyHeaderOps, FlatHeadersRequest, RouteDecision, RouteTable } from '../routing';
import type { HeaderOp } from '../routing';
import { DataPlaneFlag } from '../metrics';
import { DispatchPool } from './dispatch-pool';
import type { DelayedLocalResponse } from './forward-plan';
import type { UpstreamCluster } from './upstream-cluster';

const NO_ROUTE: EngineDecision = EngineDecision.failure('no-route');
const NO_MIRRORS: readonly UpstreamCluster[] = Object.freeze([]);
const combiner = new HashCombiner();

function flatOps(ops: readonly HeaderOp[], base: readonly string[] = []): readonly string[] {
  return ops.length === 0 ? base : applyHeaderOps(ops, base);
}

export class HttpRouter {
  /** The table in force; replaced whole, never edited. */
  table: RouteTable | null = null;
  /** The security filters (jwt_authn, RBAC) run before routing; null when the connection manager has none. */
  filters: HttpFilterChain | null = null;
  readonly dispatch = new DispatchPool();
  /** The engine's router function for this connection manager. */
  readonly route: Router;

  constructor(private readonly clusters: ReadonlyMap<string, UpstreamCluster>) {
    this.route = (head) => this.decide(head);
  }

  private decide(head: RequestHead): EngineDecision {
    const filters = this.filters;
    if (filters !== null) {
      const verdict = filters.run(head);
      if (verdict instanceof Promise) return this.gated(head, verdict);
      if (verdict.kind === 'deny') return this.refuse(head, verdict.response);
    }
    return this.routeOnly(head);
  }

  /** A security filter's answer (403 RBAC, 401 JWT), sent with its response code details. */
  private refuse(head: RequestHead, response: FilterResponse): EngineDecision {
    this.dispatch.offer({ head, delayMs: 0, cluster: null, decision: null, hash: undefined, mirrors: NO_MIRRORS, local: response });
    return { kind: 'forward', pool: this.dispatch, cluster: '', timeoutMs: 0 };
  }

  /**
   * Routing while a filter still verifies: the route is chosen now, and the
   * dispatch pool holds the plan until the filters let the request continue.
   */
  private gated(head: RequestHead, gate: Promise<FilterVerdict>): EngineDecision {
    const d = this.routeOnly(head);
    if (d.kind === 'forward' && d.pool === this.dispatch) {
      this.dispatch.gate(gate);
      return d;
    }
    let local: FilterResponse;
    if (d.kind === 'local') {
      local = { status: d.status, body: d.body ?? '', headers: d.headers ?? [], flags: d.flags ?? 0, details: 'direct_response' };
    } else if (d.kind === 'failure') {
      const f = FAILURES[d.failure];
      local = { status: f.status, body: f.body, headers: [], flags: f.flag, details: f.details };
    } else {
      return d;
    }
    this.dispatch.offer({ head, delayMs: 0, cluster: null, decision: null, hash: undefined, mirrors: NO_MIRRORS, local, gate });
    return { kind: 'forward', pool: this.dispatch, cluster: '', timeoutMs: 0 };
  }

  private routeOnly(head: RequestHead): EngineDecision {
    const table = this.table;
    if (table === null) return NO_ROUTE;
    const d = table.route(new FlatHeadersRequest({
      method: head.method, path: head.path, authority: head.authority, sourceIp: head.remoteAddress, headers: head.headers,
    }));
    switch (d.kind) {
      case 'noRoute':
        return NO_ROUTE;
      case 'redirect':
        return this.local(head, d, { status: d.status, body: '', headers: flatOps(d.responseHeaderOps, ['location', d.location]), flags: 0, details: 'redirect' });
      case 'direct':
        return this.local(head, d, { status: d.status, body: d.body?.toString('utf8') ?? '', headers: flatOps(d.responseHeaderOps), flags: 0, details: 'direct_response' });
      case 'corsPreflight':
        return this.local(head, d, { status: 200, body: '', headers: flatOps(d.responseHeaderOps), flags: 0, details: 'cors_response' });
      case 'forward':
        return this.forward(head, d);
    }
  }

  /** A local answer, after the fault filter (delay, then abort instead). */
  private local(head: RequestHead, d: RouteDecision & { readonly delayMs?: number; readonly abort?: { status: number; grpcStatus?: number } }, answer: DelayedLocalResponse): EngineDecision {
    const final = d.abort !== undefined ? abortResponse(d.abort) : answer;
    const delay = d.delayMs ?? 0;
    if (delay <= 0) return EngineDecision.local(final.status, final.body, final.headers, final.flags);
    this.dispatch.offer({ head, delayMs: delay, cluster: null, decision: null, hash: undefined, mirrors: NO_MIRRORS, local: final });
    return { kind: 'forward', pool: this.dispatch, cluster: '', timeoutMs: 0 };
  }

  private forward(head: RequestHead, d: Extract<RouteDecision, { kind: 'forward' }>): EngineDecision {
    if (d.abort !== undefined) return this.local(head, d, abortResponse(d.abort));
    const cluster = this.clusters.get(d.cluster);
    if (cluster === undefined || cluster.closed) {
      return this.local(head, d, { status: d.clusterNotFoundStatus, body: '', headers: [], flags: DataPlaneFlag.NC, details: 'cluster_not_found' });
    }
    let hash: number | undefined;
    const inputs = d.hashInputs;
    if (inputs !== undefined) {
      combiner.reset();
      for (const v of inputs) combiner.add(v);
      hash = combiner.result();
    }
    let mirrors = NO_MIRRORS;
    if (d.mirrors.length > 0) {
      const live: UpstreamCluster[] = [];
      for (const name of d.mirrors) {
        const m = this.clusters.get(name);
        if (m !== undefined && !m.closed) live.push(m);
      }
      mirrors = live;
    }
    const delay = d.delayMs ?? 0;
    this.dispatch.offer({ head, delayMs: delay, cluster, decision: d, hash, mirrors, local: null });
    // One literal of one shape (no spreads): absent rewrites are undefined, which the engine reads as "keep".
    return {
      kind: 'forward',
      pool: this.dispatch,
      cluster: d.cluster,
      // Envoy's fault filter runs before the router: its delay is not part of the route timeout.
      timeoutMs: d.timeoutMs > 0 ? d.timeoutMs + delay : 0,
      pathRewrite: d.path,
      hostRewrite: d.host,
    };
  }
}

function abortResponse(abort: { status: number; grpcStatus?: number }): DelayedLocalResponse {
  if (abort.grpcStatus !== undefined) {
    return { status: 200, body: '', headers: ['content-type', 'application/grpc', 'grpc-status', String(abort.grpcStatus), 'grpc-message', 'fault filter abort'], flags: ResponseFlag.FI, details: 'fault_filter_abort' };
  }
  return { status: abort.status, body: 'fault filter abort', headers: [], flags: ResponseFlag.FI, details: 'fault_filter_abort' };
}
