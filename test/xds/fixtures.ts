/** Small, realistic Envoy resources for the bookinfo `reviews` service, and request builders. */
import type { DeltaDiscoveryRequest, DiscoveryRequest, NodeMessage, PlainMessage } from '../../runtime/xds/protos';
import { FilterTypeUrl, TypeUrl } from '../../runtime/xds/resource-types';
import { Snapshot, SnapshotProps } from '../../runtime/xds/cache';

export const NODE_ID = 'sidecar~10.0.0.5~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local';
export const REVIEWS_CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';

export const NODE: NodeMessage = {
  id: NODE_ID,
  cluster: 'productpage.default',
  metadata: {
    fields: {
      NAMESPACE: { stringValue: 'default' },
      LABELS: { structValue: { fields: { app: { stringValue: 'productpage' }, version: { stringValue: 'v1' } } } },
    },
  },
};

/** The outbound listener for port 9080, whose HTTP connection manager fetches route config "9080" over RDS. */
export function listener9080(statPrefix = 'outbound_0.0.0.0_9080'): PlainMessage {
  return {
    name: '0.0.0.0_9080',
    address: { socket_address: { address: '0.0.0.0', port_value: 9080 } },
    traffic_direction: 'OUTBOUND',
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': FilterTypeUrl.HttpConnectionManager,
              stat_prefix: statPrefix,
              rds: { route_config_name: '9080', config_source: { ads: {}, resource_api_version: 'V3' } },
              http_filters: [
                { name: 'envoy.filters.http.fault', typed_config: { '@type': FilterTypeUrl.Fault } },
                { name: 'envoy.filters.http.router', typed_config: { '@type': FilterTypeUrl.Router } },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function routeConfig9080(timeout = '0s'): PlainMessage {
  return {
    name: '9080',
    virtual_hosts: [
      {
        name: 'reviews.default.svc.cluster.local:9080',
        domains: ['reviews.default.svc.cluster.local', 'reviews', 'reviews.default'],
        routes: [
          {
            match: { prefix: '/' },
            route: { cluster: REVIEWS_CLUSTER, timeout },
          },
        ],
      },
    ],
    validate_clusters: false,
  };
}

export function reviewsCluster(): PlainMessage {
  return {
    name: REVIEWS_CLUSTER,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: REVIEWS_CLUSTER },
    connect_timeout: '10s',
    lb_policy: 'ROUND_ROBIN',
  };
}

export function reviewsEndpoints(addresses: readonly string[] = ['10.0.1.7', '10.0.1.8']): PlainMessage {
  return {
    cluster_name: REVIEWS_CLUSTER,
    endpoints: [
      {
        locality: { region: 'local' },
        lb_endpoints: addresses.map((address) => ({
          endpoint: { address: { socket_address: { address, port_value: 9080 } } },
          load_balancing_weight: 1,
        })),
      },
    ],
  };
}

/** A passthrough cluster (STATIC, no EDS), to show non-EDS clusters need no load assignment. */
export function passthroughCluster(): PlainMessage {
  return { name: 'PassthroughCluster', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', connect_timeout: '10s' };
}

export interface BookinfoOverrides {
  readonly statPrefix?: string;
  readonly routeTimeout?: string;
  readonly endpoints?: readonly string[];
  readonly version?: string;
}

/** A consistent snapshot: LDS → RDS "9080" → CDS reviews (EDS) → EDS reviews. */
export function bookinfoSnapshot(o: BookinfoOverrides = {}): Snapshot {
  const props: SnapshotProps = {
    resources: {
      [TypeUrl.Listener]: [listener9080(o.statPrefix)],
      [TypeUrl.RouteConfiguration]: [routeConfig9080(o.routeTimeout)],
      [TypeUrl.Cluster]: [reviewsCluster(), passthroughCluster()],
      [TypeUrl.ClusterLoadAssignment]: [reviewsEndpoints(o.endpoints)],
    },
    ...(o.version !== undefined ? { version: o.version } : {}),
  };
  return Snapshot.create(props);
}

/** A SotW request as proto-loader decodes it (defaults filled in). */
export function sotwRequest(r: {
  readonly typeUrl: string;
  readonly names?: readonly string[];
  readonly version?: string;
  readonly nonce?: string;
  readonly node?: NodeMessage | null;
  readonly error?: string;
}): DiscoveryRequest {
  return {
    version_info: r.version ?? '',
    node: r.node === undefined ? NODE : r.node,
    resource_names: r.names ?? [],
    type_url: r.typeUrl,
    response_nonce: r.nonce ?? '',
    error_detail: r.error !== undefined ? { code: 3, message: r.error } : null,
  };
}

/** A delta request as proto-loader decodes it (defaults filled in). */
export function deltaRequest(r: {
  readonly typeUrl: string;
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  readonly initial?: Readonly<Record<string, string>>;
  readonly nonce?: string;
  readonly node?: NodeMessage | null;
  readonly error?: string;
}): DeltaDiscoveryRequest {
  return {
    node: r.node === undefined ? NODE : r.node,
    type_url: r.typeUrl,
    resource_names_subscribe: r.subscribe ?? [],
    resource_names_unsubscribe: r.unsubscribe ?? [],
    initial_resource_versions: r.initial ?? {},
    response_nonce: r.nonce ?? '',
    error_detail: r.error !== undefined ? { code: 3, message: r.error } : null,
  };
}
