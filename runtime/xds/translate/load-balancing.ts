/**
 * DestinationRule load balancing: the cluster's `lb_policy` (LEAST_REQUEST by
 * default, as Istio), and for consistent hashing RING_HASH or MAGLEV with the
 * hash key the routes carry as `hash_policy`.
 */
import type { LoadBalancerSettings } from '../../../constructs/api';
import { PlainMessage, duration } from './envoy';

/** Istio's default minimum ring size for RING_HASH. */
export const DEFAULT_MINIMUM_RING_SIZE = 1024;

/** The cluster fields for `lb` (`lb_policy` and its config); PASSTHROUGH also turns the cluster into ORIGINAL_DST. */
export function loadBalancerFields(lb: LoadBalancerSettings | undefined): PlainMessage {
  const hash = lb?.consistentHash;
  if (hash) {
    if (hash.maglev) return { lb_policy: 'MAGLEV', ...(hash.maglev.tableSize ? { maglev_lb_config: { table_size: hash.maglev.tableSize } } : {}) };
    return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: hash.ringHash?.minimumRingSize || hash.minimumRingSize || DEFAULT_MINIMUM_RING_SIZE } };
  }
  switch (lb?.simple) {
    case 'ROUND_ROBIN':
      return { lb_policy: 'ROUND_ROBIN' };
    case 'RANDOM':
      return { lb_policy: 'RANDOM' };
    case 'PASSTHROUGH':
      return { type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' };
    default: // UNSPECIFIED, LEAST_CONN, LEAST_REQUEST
      return { lb_policy: 'LEAST_REQUEST' };
  }
}

/** The route `hash_policy` of a consistent-hash policy, `undefined` for any other. */
export function hashPolicy(lb: LoadBalancerSettings | undefined): PlainMessage[] | undefined {
  const hash = lb?.consistentHash;
  if (!hash) return undefined;
  if (hash.httpHeaderName !== undefined) return [{ header: { header_name: hash.httpHeaderName } }];
  if (hash.httpCookie) {
    const c = hash.httpCookie;
    return [{ cookie: { name: c.name, ...(c.path !== undefined ? { path: c.path } : {}), ...(c.ttl !== undefined ? { ttl: duration(c.ttl) } : {}) } }];
  }
  if (hash.useSourceIp) return [{ connection_properties: { source_ip: true } }];
  if (hash.httpQueryParameterName !== undefined) return [{ query_parameter: { name: hash.httpQueryParameterName } }];
  return undefined;
}
