/**
 * The hosts of one EDS priority, split by health, with their balancers and
 * whether the level is in panic (healthy+degraded share below
 * `healthy_panic_threshold`: balance over all its hosts instead).
 */
import type { Cluster } from '../../xds/resources';
import type { Host } from './host';
import { createLoadBalancer } from './lb/create';
import type { LoadBalancer } from './lb/load-balancer';
import type { Random } from './random';

export class PriorityLevel {
  readonly priority: number;
  readonly hosts: readonly Host[];
  readonly healthy: readonly Host[];
  readonly degraded: readonly Host[];
  /** Share (0..100) of this level's hosts that can take traffic, scaled by the overprovisioning factor and capped at 100. */
  readonly health: number;
  /** Percent of traffic this level receives (set by the cluster). */
  load = 0;
  /** Whether this level balances over all its hosts (set by the cluster). */
  panic = false;
  private readonly cluster: Cluster;
  private readonly random: Random;
  private healthyLb: LoadBalancer | undefined;
  private degradedLb: LoadBalancer | undefined;
  private allLb: LoadBalancer | undefined;

  constructor(priority: number, hosts: readonly Host[], cluster: Cluster, random: Random, overprovisioningFactor: number) {
    this.priority = priority;
    this.hosts = hosts;
    this.cluster = cluster;
    this.random = random;
    const healthy: Host[] = [];
    const degraded: Host[] = [];
    for (const h of hosts) {
      const state = h.health;
      if (state === 'healthy') healthy.push(h);
      else if (state === 'degraded') degraded.push(h);
    }
    this.healthy = healthy;
    this.degraded = degraded;
    const available = hosts.length === 0 ? 0 : (healthy.length + degraded.length) / hosts.length;
    this.health = Math.min(100, Math.floor(available * overprovisioningFactor));
  }

  /** Whether the healthy+degraded share is below the panic threshold (0..1). */
  belowPanicThreshold(threshold: number): boolean {
    if (this.hosts.length === 0) return false;
    return (this.healthy.length + this.degraded.length) / this.hosts.length < threshold;
  }

  /** The balancer to use now: all hosts in panic, else healthy, else degraded. */
  balancer(): LoadBalancer | undefined {
    if (this.panic) return (this.allLb ??= createLoadBalancer(this.cluster, this.hosts, this.random));
    if (this.healthy.length > 0) return (this.healthyLb ??= createLoadBalancer(this.cluster, this.healthy, this.random));
    if (this.degraded.length > 0) return (this.degradedLb ??= createLoadBalancer(this.cluster, this.degraded, this.random));
    return undefined;
  }
}
