/**
 * The registry of Istio kinds meshform speaks: names, API group/version and spec schema.
 */
import { TSchema } from '@sinclair/typebox';
import { VirtualServiceSpecSchema } from './virtual-service';
import { DestinationRuleSpecSchema } from './destination-rule';
import { GatewaySpecSchema } from './gateway';
import { ServiceEntrySpecSchema } from './service-entry';
import { WorkloadEntrySpecSchema } from './workload-entry';
import { SidecarSpecSchema } from './sidecar';
import { PeerAuthenticationSpecSchema } from './peer-authentication';
import { AuthorizationPolicySpecSchema } from './authorization-policy';
import { RequestAuthenticationSpecSchema } from './request-authentication';

/** The Istio API groups. */
export const NETWORKING_GROUP = 'networking.istio.io';
export const SECURITY_GROUP = 'security.istio.io';

/** Everything meshform knows about one Istio kind. */
export interface KindInfo {
  /** API group, e.g. `networking.istio.io`. */
  readonly group: string;
  /** Storage version we emit, `v1`. */
  readonly version: string;
  /** Other versions that are served with the same schema (older Istio releases). */
  readonly servedVersions: readonly string[];
  /** `<group>/<version>`, e.g. `networking.istio.io/v1`. */
  readonly apiVersion: string;
  /** Kind, e.g. `VirtualService`. */
  readonly kind: string;
  /** Lowercase plural resource name, e.g. `virtualservices`. */
  readonly plural: string;
  /** Lowercase singular name, e.g. `virtualservice`. */
  readonly singular: string;
  /** Kind of the list, e.g. `VirtualServiceList`. */
  readonly listKind: string;
  /** kubectl short names, e.g. `['vs']`. */
  readonly shortNames: readonly string[];
  /** kubectl categories, e.g. `['istio-io', 'networking-istio-io']`. */
  readonly categories: readonly string[];
  /** The TypeBox schema of the `spec`. */
  readonly specSchema: TSchema;
}

/** English plural of a lowercase kind name, as Istio's CRDs spell it (`serviceentries`, `authorizationpolicies`). */
function pluralOf(singular: string): string {
  return /[^aeiou]y$/.test(singular) ? `${singular.slice(0, -1)}ies` : `${singular}s`;
}

function kind(group: string, name: string, shortNames: string[], specSchema: TSchema, servedVersions: string[]): KindInfo {
  const singular = name.toLowerCase();
  return {
    group,
    version: 'v1',
    servedVersions,
    apiVersion: `${group}/v1`,
    kind: name,
    plural: pluralOf(singular),
    singular,
    listKind: `${name}List`,
    shortNames,
    categories: ['istio-io', `${group.split('.')[0]}-istio-io`],
    specSchema,
  };
}

const NET_SERVED = ['v1beta1', 'v1alpha3'];
const SEC_SERVED = ['v1beta1'];

/** All kinds, networking first. */
export const KINDS: readonly KindInfo[] = [
  kind(NETWORKING_GROUP, 'VirtualService', ['vs'], VirtualServiceSpecSchema, NET_SERVED),
  kind(NETWORKING_GROUP, 'DestinationRule', ['dr'], DestinationRuleSpecSchema, NET_SERVED),
  kind(NETWORKING_GROUP, 'Gateway', ['gw'], GatewaySpecSchema, NET_SERVED),
  kind(NETWORKING_GROUP, 'ServiceEntry', ['se'], ServiceEntrySpecSchema, NET_SERVED),
  kind(NETWORKING_GROUP, 'WorkloadEntry', ['we'], WorkloadEntrySpecSchema, NET_SERVED),
  kind(NETWORKING_GROUP, 'Sidecar', [], SidecarSpecSchema, NET_SERVED),
  kind(SECURITY_GROUP, 'PeerAuthentication', ['pa'], PeerAuthenticationSpecSchema, SEC_SERVED),
  kind(SECURITY_GROUP, 'AuthorizationPolicy', ['ap'], AuthorizationPolicySpecSchema, SEC_SERVED),
  kind(SECURITY_GROUP, 'RequestAuthentication', ['ra'], RequestAuthenticationSpecSchema, SEC_SERVED),
];

/**
 * Finds a kind by `apiVersion` and `kind`. Older served versions (`v1beta1`,
 * `v1alpha3` for networking) are accepted: their schemas equal v1.
 */
export function findKind(apiVersion: string, kindName: string): KindInfo | undefined {
  const [group, version] = apiVersion.split('/');
  return KINDS.find(
    (k) => k.kind === kindName && k.group === group && (k.version === version || k.servedVersions.includes(version ?? '')),
  );
}

/** Finds a kind by its name alone (`VirtualService`). */
export function findKindByName(kindName: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kindName);
}
