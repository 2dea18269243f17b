/**
 * One resource the proxy accepted: its decoded domain object for the data
 * plane, and the plain proto JSON it came from for `/config_dump`.
 */
import type { PlainMessage } from '../../xds/protos';

/** Envoy's short names of the resource types the proxy consumes. */
export type XdsTypeName = 'CDS' | 'EDS' | 'LDS' | 'RDS';

/** The order in which types are applied and listed (clusters before listeners, as Envoy warms them). */
export const XDS_TYPE_NAMES: readonly XdsTypeName[] = ['CDS', 'EDS', 'LDS', 'RDS'];

export interface AppliedResource<T> {
  readonly name: string;
  /** The decoded domain object the data plane reads. */
  readonly value: T;
  /** The resource as a plain object with proto field names (the form `unpackResource` returns). */
  readonly raw: PlainMessage;
  /** A hash of the resource's encoded bytes: equal hashes mean equal content. */
  readonly hash: string;
  /** `version_info` of the response in which this content arrived. */
  readonly versionInfo: string;
  /** When this content was applied. */
  readonly lastUpdated: Date;
}

/** The accepted version of one type. */
export interface TypeVersion {
  /** `version_info` of the last accepted response ('' before any). */
  readonly versionInfo: string;
  /** When that response was applied. */
  readonly lastUpdated?: Date;
}
