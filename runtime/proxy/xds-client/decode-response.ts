/**
 * A state-of-the-world response → the decoded resources, or the reasons to
 * reject it. One invalid resource rejects the whole response (the type keeps
 * its last accepted version); the NACK message lists every problem as
 * `<resource name>: <field path>: <problem>`, one per line.
 */
import { createHash } from 'crypto';
import { AnyMessage, PlainMessage, unpackResource } from '../../xds/protos';
import { resourceName } from '../../xds/resource-types';
import { decodeResource, RouteConfiguration } from '../../xds/resources';
import type { AppliedResource, RejectedResource, XdsTypeName } from '../config';
import type { DomainByTypeName } from '../config';
import { TYPE_URL_OF } from './xds-types';

export type DecodedResponse<K extends XdsTypeName> =
  | { readonly ok: true; readonly resources: AppliedResource<DomainByTypeName[K]>[] }
  | { readonly ok: false; readonly message: string; readonly rejected: RejectedResource[] };

export interface DecodeResponseOptions {
  /** Names to keep (EDS, RDS: what is subscribed); others are skipped. @default every resource */
  readonly only?: ReadonlySet<string>;
  /** Accept route configurations whose virtual hosts come over VHDS (a delta stream). @default false */
  readonly vhds?: boolean;
}

/** A short hash of a resource's encoded bytes. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export function decodeResponse<K extends XdsTypeName>(
  type: K,
  versionInfo: string,
  resources: readonly AnyMessage[],
  at: Date,
  options: DecodeResponseOptions = {},
): DecodedResponse<K> {
  const typeUrl = TYPE_URL_OF[type];
  const decoded: AppliedResource<DomainByTypeName[K]>[] = [];
  const rejected: RejectedResource[] = [];
  const seen = new Set<string>();
  resources.forEach((any, index) => {
    const label = `#${index}`;
    if (any.type_url !== typeUrl) {
      rejected.push({ name: label, errors: [`type_url: '${any.type_url}' differs from the response's type '${typeUrl}'`] });
      return;
    }
    let raw: PlainMessage;
    try {
      raw = unpackResource(any);
    } catch (err) {
      rejected.push({ name: label, errors: [`cannot decode ${type} resource: ${(err as Error).message}`] });
      return;
    }
    const name = resourceName(typeUrl, raw);
    if (name === undefined) {
      rejected.push({ name: label, raw, errors: [`${type === 'EDS' ? 'cluster_name' : 'name'}: must be a non-empty string`] });
      return;
    }
    if (seen.has(name)) {
      rejected.push({ name, raw, errors: [`duplicate resource name in the response (resource ${label})`] });
      return;
    }
    seen.add(name);
    if (options.only && !options.only.has(name)) return;
    const result = decodeResource(typeUrl, raw);
    if (!result.ok) {
      rejected.push({ name, raw, errors: result.errors });
      return;
    }
    if (type === 'RDS' && !options.vhds && (result.value as RouteConfiguration).vhds) {
      // As Envoy does: VHDS is defined on delta ADS only.
      rejected.push({ name, raw, errors: ['vhds: virtual hosts over VHDS need delta ADS; this proxy speaks state-of-the-world ADS'] });
      return;
    }
    decoded.push({
      name,
      value: result.value as DomainByTypeName[K],
      raw,
      hash: contentHash(any.value),
      versionInfo,
      lastUpdated: at,
    });
  });
  if (rejected.length > 0) {
    const message = rejected.flatMap((r) => r.errors.map((e) => `${r.name}: ${e}`)).join('\n');
    return { ok: false, message, rejected };
  }
  return { ok: true, resources: decoded };
}
