/**
 * What one resource needs from another type before it can serve: the route
 * configurations a listener fetches over RDS, the load assignment an EDS
 * cluster fetches over EDS.
 */
import type { Cluster, HttpConnectionManager, Listener } from '../../xds/resources';

/** Every HTTP connection manager of a listener (filter chains, default chain, API listener). */
export function httpConnectionManagersOf(listener: Listener): HttpConnectionManager[] {
  const managers: HttpConnectionManager[] = [];
  const chains = listener.defaultFilterChain ? [...listener.filterChains, listener.defaultFilterChain] : listener.filterChains;
  for (const chain of chains) {
    for (const filter of chain.filters) if (filter.kind === 'httpConnectionManager') managers.push(filter.config);
  }
  if (listener.apiListener) managers.push(listener.apiListener);
  return managers;
}

/** Names of the route configurations a listener fetches over RDS, sorted, without duplicates. */
export function routeConfigNamesOf(listener: Listener): string[] {
  const names = new Set<string>();
  for (const hcm of httpConnectionManagersOf(listener)) {
    if (hcm.routeSource.kind === 'rds') names.add(hcm.routeSource.routeConfigName);
  }
  return [...names].sort();
}

/** The EDS service name of a cluster whose endpoints come over EDS, else `undefined`. */
export function edsServiceNameOf(cluster: Cluster): string | undefined {
  return cluster.discovery.type === 'EDS' ? cluster.discovery.serviceName : undefined;
}
