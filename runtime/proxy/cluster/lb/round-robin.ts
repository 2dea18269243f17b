/**
 * ROUND_ROBIN: plain rotation when weights are equal (from a random start, as
 * Envoy does so that proxies do not all begin on the same host); smooth weighted
 * round robin otherwise, which gives each host exactly its weight's share of
 * every cycle of Σweights picks, spread out rather than in bursts.
 */
import type { Host } from '../host';
import { Random, randomInt } from '../random';
import { LoadBalancer, equalWeights } from './load-balancer';

export class RoundRobinLoadBalancer implements LoadBalancer {
  private readonly hosts: readonly Host[];
  private readonly weighted: boolean;
  private readonly current: Float64Array;
  private readonly totalWeight: number;
  private next: number;

  constructor(hosts: readonly Host[], random: Random) {
    this.hosts = hosts;
    this.weighted = !equalWeights(hosts);
    this.current = new Float64Array(this.weighted ? hosts.length : 0);
    let total = 0;
    for (const h of hosts) total += h.weight;
    this.totalWeight = total;
    this.next = hosts.length > 0 ? randomInt(random, hosts.length) : 0;
  }

  chooseHost(): Host | undefined {
    const hosts = this.hosts;
    const n = hosts.length;
    if (n === 0) return undefined;
    if (!this.weighted) {
      const host = hosts[this.next];
      this.next = this.next + 1 === n ? 0 : this.next + 1;
      return host;
    }
    const current = this.current;
    let best = 0;
    for (let i = 0; i < n; i++) {
      current[i] += hosts[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= this.totalWeight;
    return hosts[best];
  }
}
