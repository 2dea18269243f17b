/** Decoding any served resource by its type URL. */
import { ResourceTypeUrl, TypeUrl } from '../resource-types';
import { Cluster, decodeCluster } from './cluster';
import { ClusterLoadAssignment, decodeClusterLoadAssignment } from './cluster-load-assignment';
import { Listener, decodeListener } from './listener';
import { Result, fail } from './result';
import { RouteConfiguration, VirtualHost, decodeRouteConfiguration, decodeVirtualHostResource } from './route-configuration';
import { Secret, decodeSecret } from './secret';

/** The domain type of each served type URL. */
export interface DomainResourceByTypeUrl {
  [TypeUrl.Listener]: Listener;
  [TypeUrl.RouteConfiguration]: RouteConfiguration;
  [TypeUrl.VirtualHost]: VirtualHost;
  [TypeUrl.Cluster]: Cluster;
  [TypeUrl.ClusterLoadAssignment]: ClusterLoadAssignment;
  [TypeUrl.Secret]: Secret;
}

export type DomainResource = DomainResourceByTypeUrl[ResourceTypeUrl];

const DECODERS: { readonly [U in ResourceTypeUrl]: (plain: unknown) => Result<DomainResourceByTypeUrl[U]> } = {
  [TypeUrl.Listener]: decodeListener,
  [TypeUrl.RouteConfiguration]: decodeRouteConfiguration,
  [TypeUrl.VirtualHost]: decodeVirtualHostResource,
  [TypeUrl.Cluster]: decodeCluster,
  [TypeUrl.ClusterLoadAssignment]: decodeClusterLoadAssignment,
  [TypeUrl.Secret]: decodeSecret,
};

/** Decodes a resource of `typeUrl`; an unserved type URL is an error. */
export function decodeResource<U extends ResourceTypeUrl>(typeUrl: U, plain: unknown): Result<DomainResourceByTypeUrl[U]>;
export function decodeResource(typeUrl: string, plain: unknown): Result<DomainResource>;
export function decodeResource(typeUrl: string, plain: unknown): Result<DomainResource> {
  const decoder = (DECODERS as Readonly<Record<string, (plain: unknown) => Result<DomainResource>>>)[typeUrl];
  if (!decoder) return fail([`unsupported resource type '${typeUrl}' (expected one of ${Object.keys(DECODERS).join(', ')})`]);
  return decoder(plain);
}

