/**
 * LEAST_REQUEST as Envoy does it. Equal weights: the power of `choiceCount`
 * choices (default 2) — sample that many hosts at random, take the one with the
 * fewest active requests. Unequal weights: weighted round robin where each
 * host's effective weight is `weight / (active_requests + 1) ^ bias`
 * (Envoy's `active_request_bias`, default 1), recomputed at every pick.
 */
import type { Host } from '../host';
import { Random, randomInt } from '../random';
import { LoadBalancer, equalWeights } from './load-balancer';

export interface LeastRequestOptions {
  /** Hosts sampled per pick. @default 2 */
  readonly choiceCount?: number;
  /** Exponent of the active-request penalty for weighted hosts. @default 1 */
  readonly activeRequestBias?: number;
}

export class LeastRequestLoadBalancer implements LoadBalancer {
  private readonly hosts: readonly Host[];
  private readonly random: Random;
  readonly choiceCount: number;
  readonly activeRequestBias: number;
  private readonly weighted: boolean;
  private readonly current: Float64Array;

  constructor(hosts: readonly Host[], random: Random, options: LeastRequestOptions = {}) {
    this.hosts = hosts;
    this.random = random;
    this.choiceCount = options.choiceCount ?? 2;
    this.activeRequestBias = options.activeRequestBias ?? 1;
    this.weighted = !equalWeights(hosts);
    this.current = new Float64Array(this.weighted ? hosts.length : 0);
  }

  chooseHost(): Host | undefined {
    const hosts = this.hosts;
    const n = hosts.length;
    if (n === 0) return undefined;
    if (n === 1) return hosts[0];
    if (!this.weighted) {
      let best: Host | undefined;
      for (let c = 0; c < this.choiceCount; c++) {
        const h = hosts[randomInt(this.random, n)];
        if (best === undefined || h.rqActive < best.rqActive) best = h;
      }
      return best;
    }
    const current = this.current;
    const bias = this.activeRequestBias;
    let total = 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      const h = hosts[i];
      const w = bias === 1 ? h.weight / (h.rqActive + 1) : bias === 0 ? h.weight : h.weight / Math.pow(h.rqActive + 1, bias);
      total += w;
      current[i] += w;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    return hosts[best];
  }
}
