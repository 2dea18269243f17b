/** RANDOM: a uniformly random host, or weight-proportional when weights differ. */
import type { Host } from '../host';
import { Random, randomInt } from '../random';
import { LoadBalancer, equalWeights } from './load-balancer';

export class RandomLoadBalancer implements LoadBalancer {
  private readonly hosts: readonly Host[];
  private readonly random: Random;
  /** Cumulative weights when weighted, else empty. */
  private readonly cumulative: Float64Array;

  constructor(hosts: readonly Host[], random: Random) {
    this.hosts = hosts;
    this.random = random;
    const weighted = !equalWeights(hosts);
    this.cumulative = new Float64Array(weighted ? hosts.length : 0);
    let sum = 0;
    if (weighted) hosts.forEach((h, i) => { sum += h.weight; this.cumulative[i] = sum; });
  }

  chooseHost(): Host | undefined {
    const n = this.hosts.length;
    if (n === 0) return undefined;
    const c = this.cumulative;
    if (c.length === 0) return this.hosts[randomInt(this.random, n)];
    const target = this.random.next() * c[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.hosts[lo];
  }
}
