/**
 * The load-balancer seam: one instance balances over a fixed list of hosts
 * (the cluster stage rebuilds it when membership or health changes). Picks
 * allocate nothing.
 */
import type { Hash53 } from '../hash';
import type { Host } from '../host';

/** What a pick may use from the request. The engine can reuse one object per request. */
export interface LbContext {
  /**
   * The request hash from the route's hash policies (`computeRequestHash`), for
   * ring hash and Maglev; undefined when no policy yielded a value.
   */
  hash?: Hash53 | undefined;
}

export interface LoadBalancer {
  /** A host, or undefined when the list is empty. */
  chooseHost(context?: LbContext): Host | undefined;
}

/** Whether all hosts carry the same weight (balancers then take their unweighted fast path). */
export function equalWeights(hosts: readonly Host[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i].weight !== hosts[0].weight) return false;
  return true;
}
