/**
 * RING_HASH (Ketama-style consistent hashing) as Envoy builds it: each host
 * gets ring entries in proportion to its normalized weight, hashed from
 * `address:port_i` with xxHash64; the ring has between `minimumRingSize` and
 * `maximumRingSize` entries. A request hash picks the first entry at or after
 * it (wrapping). Without a request hash, a random host.
 */
import { hashKey } from '../hash';
import type { Host } from '../host';
import type { Random } from '../random';
import { LbContext, LoadBalancer } from './load-balancer';
import { RandomLoadBalancer } from './random';

export interface RingHashOptions {
  /** @default 1024 */
  readonly minimumRingSize?: number;
  /** @default 8388608 */
  readonly maximumRingSize?: number;
}

export class RingHashLoadBalancer implements LoadBalancer {
  private readonly hosts: readonly Host[];
  /** Entry hashes, ascending. */
  private readonly ringHashes: Float64Array;
  /** Host index of each entry. */
  private readonly ringHosts: Int32Array;
  private readonly fallback: RandomLoadBalancer;

  constructor(hosts: readonly Host[], random: Random, options: RingHashOptions = {}) {
    this.hosts = hosts;
    this.fallback = new RandomLoadBalancer(hosts, random);
    const minSize = options.minimumRingSize ?? 1024;
    const maxSize = options.maximumRingSize ?? 8_388_608;
    let total = 0;
    for (const h of hosts) total += h.weight;
    let minNormalized = 1;
    for (const h of hosts) minNormalized = Math.min(minNormalized, h.weight / total);
    const scale = hosts.length === 0 ? 0 : Math.min(Math.ceil(minNormalized * minSize) / minNormalized, maxSize);
    const hashes: number[] = [];
    const owners: number[] = [];
    let target = 0;
    let count = 0;
    hosts.forEach((h, index) => {
      target += scale * (h.weight / total);
      for (let i = 0; count < target; i++, count++) {
        hashes.push(hashKey(`${h.key}_${i}`));
        owners.push(index);
      }
    });
    const order = hashes.map((_, i) => i).sort((a, b) => hashes[a] - hashes[b] || owners[a] - owners[b]);
    this.ringHashes = Float64Array.from(order, (i) => hashes[i]);
    this.ringHosts = Int32Array.from(order, (i) => owners[i]);
  }

  /** Number of ring entries. */
  get ringSize(): number {
    return this.ringHashes.length;
  }

  chooseHost(context?: LbContext): Host | undefined {
    const hash = context?.hash;
    if (hash === undefined) return this.fallback.chooseHost();
    const ring = this.ringHashes;
    const n = ring.length;
    if (n === 0) return undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ring[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.hosts[this.ringHosts[lo === n ? 0 : lo]];
  }
}
