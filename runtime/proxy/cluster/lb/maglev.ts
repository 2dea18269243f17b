/**
 * MAGLEV: a lookup table of prime size `tableSize` (default 65537) filled by
 * each host's permutation (offset and skip from hashes of its `address:port`),
 * in proportion to weight; a request hash indexes the table. Without a request
 * hash, a random host.
 */
import { hashKey } from '../hash';
import type { Host } from '../host';
import type { Random } from '../random';
import { LbContext, LoadBalancer } from './load-balancer';
import { RandomLoadBalancer } from './random';

export interface MaglevOptions {
  /** Prime. @default 65537 */
  readonly tableSize?: number;
}

export class MaglevLoadBalancer implements LoadBalancer {
  private readonly hosts: readonly Host[];
  private readonly table: Int32Array;
  private readonly fallback: RandomLoadBalancer;

  constructor(hosts: readonly Host[], random: Random, options: MaglevOptions = {}) {
    this.hosts = hosts;
    this.fallback = new RandomLoadBalancer(hosts, random);
    const size = options.tableSize ?? 65537;
    this.table = new Int32Array(hosts.length === 0 ? 0 : size).fill(-1);
    if (hosts.length === 0) return;
    const n = hosts.length;
    const offset = new Float64Array(n);
    const skip = new Float64Array(n);
    const next = new Float64Array(n);
    const credit = new Float64Array(n);
    let maxWeight = 0;
    for (const h of hosts) maxWeight = Math.max(maxWeight, h.weight);
    hosts.forEach((h, i) => {
      offset[i] = hashKey(h.key) % size;
      skip[i] = (hashKey(`${h.key}#skip`) % (size - 1)) + 1;
    });
    let filled = 0;
    while (filled < size) {
      for (let i = 0; i < n && filled < size; i++) {
        credit[i] += hosts[i].weight / maxWeight;
        if (credit[i] < 1) continue;
        credit[i] -= 1;
        let slot = (offset[i] + skip[i] * next[i]) % size;
        while (this.table[slot] >= 0) {
          next[i]++;
          slot = (offset[i] + skip[i] * next[i]) % size;
        }
        this.table[slot] = i;
        next[i]++;
        filled++;
      }
    }
  }

  chooseHost(context?: LbContext): Host | undefined {
    const hash = context?.hash;
    if (hash === undefined) return this.fallback.chooseHost();
    const t = this.table;
    if (t.length === 0) return undefined;
    return this.hosts[t[hash % t.length]];
  }
}
