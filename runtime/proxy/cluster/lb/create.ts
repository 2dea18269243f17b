/** The load balancer a cluster's `lbPolicy` names, over a list of hosts. */
import type { Cluster } from '../../../xds/resources';
import type { Host } from '../host';
import type { Random } from '../random';
import { LeastRequestLoadBalancer } from './least-request';
import type { LoadBalancer } from './load-balancer';
import { MaglevLoadBalancer } from './maglev';
import { RandomLoadBalancer } from './random';
import { RingHashLoadBalancer } from './ring-hash';
import { RoundRobinLoadBalancer } from './round-robin';

export function createLoadBalancer(cluster: Pick<Cluster, 'lbPolicy' | 'ringHash' | 'maglev' | 'leastRequest'>, hosts: readonly Host[], random: Random): LoadBalancer {
  switch (cluster.lbPolicy) {
    case 'ROUND_ROBIN':
      return new RoundRobinLoadBalancer(hosts, random);
    case 'LEAST_REQUEST':
      return new LeastRequestLoadBalancer(hosts, random, { choiceCount: cluster.leastRequest?.choiceCount ?? 2 });
    case 'RING_HASH':
      return new RingHashLoadBalancer(hosts, random, cluster.ringHash ?? {});
    case 'MAGLEV':
      return new MaglevLoadBalancer(hosts, random, cluster.maglev ?? {});
    case 'RANDOM':
    case 'CLUSTER_PROVIDED':
      return new RandomLoadBalancer(hosts, random);
  }
}
