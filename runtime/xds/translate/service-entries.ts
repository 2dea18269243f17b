/**
 * Clusters of services not discovered through EDS: ServiceEntries resolved
 * STATIC (endpoints inline, STATIC cluster), DNS (STRICT_DNS over the endpoints'
 * addresses, or the host itself), DNS_ROUND_ROBIN (LOGICAL_DNS) and NONE
 * (ORIGINAL_DST: the connection's own destination).
 */
import type { RegistryService, ServicePortInfo } from '../../config/service-registry';
import { endpointPort } from '../../config/service-registry';
import { labelsMatch } from '../../config/host-match';
import { PlainMessage } from './envoy';
import { lbEndpoint, loadAssignment } from './endpoints';

/** The discovery fields (`type`, `load_assignment`, ...) of a non-EDS cluster. */
export function serviceEntryDiscovery(
  clusterName: string,
  service: RegistryService,
  port: ServicePortInfo,
  subsetLabels: Readonly<Record<string, string>> | undefined,
): PlainMessage {
  switch (service.resolution) {
    case 'STATIC':
      return { type: 'STATIC', load_assignment: loadAssignment(clusterName, service, port, subsetLabels) };
    case 'DNS':
    case 'DNS_ROUND_ROBIN': {
      const picked = service.endpoints.filter((e) => labelsMatch(subsetLabels, e.labels));
      const lbEndpoints = picked.length > 0 || service.endpoints.length > 0
        ? picked.map((e) => lbEndpoint(e, endpointPort(e, port), e.address === '' ? service.hostname : e.address))
        : [{ endpoint: { address: { socket_address: { address: service.hostname, port_value: port.targetPort ?? port.port } } }, load_balancing_weight: 1 }];
      const endpoints = service.resolution === 'DNS_ROUND_ROBIN' ? lbEndpoints.slice(0, 1) : lbEndpoints;
      return {
        type: service.resolution === 'DNS' ? 'STRICT_DNS' : 'LOGICAL_DNS',
        dns_lookup_family: 'V4_ONLY',
        load_assignment: { cluster_name: clusterName, endpoints: endpoints.length > 0 ? [{ lb_endpoints: endpoints }] : [] },
      };
    }
    case 'NONE':
    default:
      return { type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' };
  }
}
