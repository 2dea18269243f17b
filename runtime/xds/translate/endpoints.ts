/**
 * EDS: one ClusterLoadAssignment per EDS cluster, holding the service's endpoints
 * on the cluster's port, filtered by the subset's labels, grouped by locality,
 * each with its health status.
 */
import type { RegistryService, ServiceEndpoint, ServicePortInfo } from '../../config/service-registry';
import { endpointPort } from '../../config/service-registry';
import { labelsMatch } from '../../config/host-match';
import { PlainMessage, socketAddress } from './envoy';

function locality(text: string | undefined): PlainMessage {
  if (!text) return {};
  const [region, zone, subZone] = text.split('/');
  return {
    ...(region ? { region } : {}),
    ...(zone ? { zone } : {}),
    ...(subZone ? { sub_zone: subZone } : {}),
  };
}

/** An LbEndpoint; `address` overrides the endpoint's own (DNS clusters use the host name). */
export function lbEndpoint(endpoint: ServiceEndpoint, port: number, address = endpoint.address): PlainMessage {
  return {
    endpoint: { address: socketAddress(address, port) },
    health_status: endpoint.healthy ? 'HEALTHY' : 'UNHEALTHY',
    load_balancing_weight: endpoint.weight ?? 1,
  };
}

/** The load assignment of `clusterName`: `service`'s endpoints for `port`, those carrying `subsetLabels`. */
export function loadAssignment(
  clusterName: string,
  service: RegistryService,
  port: ServicePortInfo,
  subsetLabels: Readonly<Record<string, string>> | undefined,
): PlainMessage {
  const groups = new Map<string, PlainMessage[]>();
  for (const e of service.endpoints) {
    if (e.address === '' || !labelsMatch(subsetLabels, e.labels)) continue;
    const key = e.locality ?? '';
    const list = groups.get(key) ?? [];
    list.push(lbEndpoint(e, endpointPort(e, port)));
    groups.set(key, list);
  }
  return {
    cluster_name: clusterName,
    endpoints: [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([loc, lbEndpoints]) => ({ locality: locality(loc), lb_endpoints: lbEndpoints })),
  };
}

/** A load assignment of fixed addresses (inbound and special clusters). */
export function staticAssignment(clusterName: string, addresses: readonly { address: string; port: number }[]): PlainMessage {
  return {
    cluster_name: clusterName,
    endpoints: addresses.length === 0 ? [] : [{ lb_endpoints: addresses.map((a) => ({ endpoint: { address: socketAddress(a.address, a.port) } })) }],
  };
}
