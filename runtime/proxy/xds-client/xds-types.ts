/** The four types the proxy subscribes to, by short name and by type URL. */
import { ResourceTypeUrl, TypeUrl } from '../../xds/resource-types';
import type { XdsTypeName } from '../config';

export const TYPE_URL_OF: Readonly<Record<XdsTypeName, ResourceTypeUrl>> = {
  CDS: TypeUrl.Cluster,
  EDS: TypeUrl.ClusterLoadAssignment,
  LDS: TypeUrl.Listener,
  RDS: TypeUrl.RouteConfiguration,
};

const BY_URL: ReadonlyMap<string, XdsTypeName> = new Map(
  (Object.entries(TYPE_URL_OF) as [XdsTypeName, string][]).map(([name, url]) => [url, name]),
);

/** The short name of a type URL the proxy consumes, else `undefined`. */
export function typeNameOf(typeUrl: string): XdsTypeName | undefined {
  return BY_URL.get(typeUrl);
}
