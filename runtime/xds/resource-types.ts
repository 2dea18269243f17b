/**
 * The xDS resource types the control plane serves, by type URL, and the few
 * facts about each that the cache and the server need: how a resource is named
 * and whether a subscription without names means "everything" (wildcard).
 */

/** Envoy v3 type URLs of the resources served over ADS. */
export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  VirtualHost: 'type.googleapis.com/envoy.config.route.v3.VirtualHost',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

/** One of the type URLs in {@link TypeUrl}. */
export type ResourceTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** Type URLs of filter configurations carried inside resources (`typed_config`). */
export const FilterTypeUrl = {
  HttpConnectionManager:
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  TcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  Router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  Fault: 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
  UpstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  DownstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
} as const;

/** Facts about one served resource type. */
export interface ResourceTypeInfo {
  readonly typeUrl: ResourceTypeUrl;
  /** Envoy's short name of the discovery service: LDS, RDS, VHDS, CDS, EDS, SDS. */
  readonly shortName: 'LDS' | 'RDS' | 'VHDS' | 'CDS' | 'EDS' | 'SDS';
  /** Field of the resource that holds its name. */
  readonly nameField: 'name' | 'cluster_name';
  /**
   * Whether a first request with no resource names subscribes to every resource
   * of the type (the legacy wildcard of the xDS protocol: only LDS and CDS).
   */
  readonly wildcardByDefault: boolean;
  /**
   * Whether a subscribed name is also a namespace: subscribing to `N` selects
   * every resource named `N/...` (VHDS: a route configuration's name selects
   * its virtual hosts, named `<route configuration>/<virtual host>`).
   */
  readonly namespaced?: boolean;
}

/**
 * Served types in the order a proxy should receive them when several change at
 * once (CDS before EDS, LDS before RDS), as the xDS protocol recommends to
 * avoid traffic drops while warming.
 */
export const RESOURCE_TYPES: readonly ResourceTypeInfo[] = [
  { typeUrl: TypeUrl.Cluster, shortName: 'CDS', nameField: 'name', wildcardByDefault: true },
  { typeUrl: TypeUrl.ClusterLoadAssignment, shortName: 'EDS', nameField: 'cluster_name', wildcardByDefault: false },
  { typeUrl: TypeUrl.Listener, shortName: 'LDS', nameField: 'name', wildcardByDefault: true },
  { typeUrl: TypeUrl.RouteConfiguration, shortName: 'RDS', nameField: 'name', wildcardByDefault: false },
  { typeUrl: TypeUrl.VirtualHost, shortName: 'VHDS', nameField: 'name', wildcardByDefault: false, namespaced: true },
  { typeUrl: TypeUrl.Secret, shortName: 'SDS', nameField: 'name', wildcardByDefault: false },
];

const BY_URL: ReadonlyMap<string, ResourceTypeInfo> = new Map(RESOURCE_TYPES.map((t) => [t.typeUrl, t]));

/** Information about a served type URL, or `undefined` for a type this control plane does not serve. */
export function resourceType(typeUrl: string): ResourceTypeInfo | undefined {
  return BY_URL.get(typeUrl);
}

/** Whether `typeUrl` is one of the served resource types. */
export function isResourceTypeUrl(typeUrl: string): typeUrl is ResourceTypeUrl {
  return BY_URL.has(typeUrl);
}

/** Short name for logs (`LDS`), or the type URL itself for types this control plane does not serve. */
export function shortTypeName(typeUrl: string): string {
  return BY_URL.get(typeUrl)?.shortName ?? typeUrl;
}

/** Whether an empty first subscription for `typeUrl` means "all resources". */
export function isWildcardByDefault(typeUrl: string): boolean {
  return BY_URL.get(typeUrl)?.wildcardByDefault ?? false;
}

/** Whether subscribed names of `typeUrl` are namespaces too (see {@link ResourceTypeInfo.namespaced}). */
export function isNamespaced(typeUrl: string): boolean {
  return BY_URL.get(typeUrl)?.namespaced ?? false;
}

/** The namespace of a resource name: what precedes its last `/` (`''` when it has none). */
export function namespaceOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/**
 * The name of a resource given as a plain object, read from the field the type
 * uses (`cluster_name` for ClusterLoadAssignment, `name` otherwise).
 */
export function resourceName(typeUrl: string, resource: Readonly<Record<string, unknown>>): string | undefined {
  const field = BY_URL.get(typeUrl)?.nameField ?? 'name';
  const value = resource[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
