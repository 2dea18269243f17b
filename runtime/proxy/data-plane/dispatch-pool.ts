/**
 * The seam between the HTTP engine and the data plane's router filter. The
 * engine sends every forwarded request to one pool object; this one is not a
 * pool of connections: it takes the {@link ForwardPlan} the router offered for
 * that request (the engine calls the router and then the pool synchronously)
 * and runs a {@link ForwardRequest}, which the engine then uses as its upstream
 * connection.
 */
import type { Exchange } from '../http/exchange';
import { EndpointPool, UpstreamConnection, UpstreamUser } from '../upstream';
import type { FilterVerdict } from '../filters';
import type { ForwardPlan } from './forward-plan';
import { ForwardRequest } from './forward-request';

export class DispatchPool extends EndpointPool {
  private offered: ForwardPlan | null = null;

  constructor() {
    super({ host: '0.0.0.0', port: 0 });
  }

  /** Called by the router just before it returns a forward decision naming this pool. */
  offer(plan: ForwardPlan): void {
    this.offered = plan;
  }

  /** Makes the plan just offered wait for the security filters (see {@link ForwardPlan.gate}). */
  gate(gate: Promise<FilterVerdict>): void {
    if (this.offered !== null) this.offered = { ...this.offered, gate };
  }

  override acquire(user: UpstreamUser): void {
    const plan = this.offered;
    this.offered = null;
    const ex = user as unknown as Exchange;
    if (plan === null || plan.head !== ex.head) {
      user.onUpstreamFailure('connect-failure');
      return;
    }
    new ForwardRequest(ex, plan).start();
  }

  override cancel(_user: UpstreamUser): void {
    // Requests never wait here: the forward request is handed over at once.
  }

  override release(conn: UpstreamConnection, reusable: boolean): void {
    (conn as unknown as ForwardRequest).release(reusable);
  }

  override destroyConnection(conn: UpstreamConnection): void {
    (conn as unknown as ForwardRequest).abort();
  }

  override close(): void {}
}
