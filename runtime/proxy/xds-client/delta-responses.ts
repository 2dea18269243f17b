/**
 * What delta ADS responses do to the applied configuration: resources are
 * added, replaced or removed one by one. CDS and LDS become the whole set of
 * what is held (warming versions being the newest) less what went, with what
 * came; EDS and RDS merge with removals; route configurations naming VHDS wait
 * for their virtual hosts (`vhds-routes.ts`). The server's version of every
 * resource held is kept, to announce on a new stream.
 */
import { unpackResource, DeltaDiscoveryResponse } from '../../xds/protos';
import { TypeUrl } from '../../xds/resource-types';
import {
  Cluster, ClusterLoadAssignment, decodeResource, Listener, RouteConfiguration, VirtualHost,
} from '../../xds/resources';
import { AppliedChange, AppliedResource, applyResponse, ProxyConfigSnapshot, RejectedResource, XdsTypeName } from '../config';
import { contentHash, decodeResponse } from './decode-response';
import { typeNameOf } from './xds-types';
import { VhdsRoutes } from './vhds-routes';

/** The types a delta stream follows: the four applied, and the virtual hosts of VHDS. */
export type DeltaTypeName = XdsTypeName | 'VHDS';

/** The type of a type URL the client follows, else `undefined`. */
export function deltaTypeOf(typeUrl: string): DeltaTypeName | undefined {
  return typeUrl === TypeUrl.VirtualHost ? 'VHDS' : typeNameOf(typeUrl);
}

/** An accepted response's change (none when it completes nothing yet), or why it is rejected. */
export type DeltaOutcome =
  | { readonly ok: true; readonly change?: AppliedChange }
  | { readonly ok: false; readonly message: string; readonly rejected: readonly RejectedResource[] };

export class DeltaResponses {
  private readonly vhds = new VhdsRoutes();
  private readonly versions = new Map<DeltaTypeName, Map<string, string>>();

  /** The server's version of each `type` resource held (`initial_resource_versions` of a new stream). */
  public versionsOf(type: DeltaTypeName): Record<string, string> {
    return Object.fromEntries(this.versions.get(type) ?? []);
  }

  /** Names of the route configurations whose virtual hosts come over VHDS (the VHDS subscription). */
  public vhdsNames(): Set<string> {
    return this.vhds.names();
  }

  /** Decodes `response` (of `type`) and works out its change to `snapshot`. */
  public apply(snapshot: ProxyConfigSnapshot, type: DeltaTypeName, response: DeltaDiscoveryResponse, at: Date): DeltaOutcome {
    const version = response.system_version_info;
    const removed = response.removed_resources;
    let change: AppliedChange | undefined;
    if (type === 'VHDS') {
      const hosts = decodeVirtualHosts(response, at);
      if (!hosts.ok) return hosts;
      const routes = this.vhds.fromVhds(hosts.hosts, removed);
      if (routes.length > 0) change = applyResponse(snapshot, 'RDS', snapshot.version('RDS').versionInfo, routes, at);
    } else {
      const decoded = decodeResponse(type, version, response.resources.map((r) => r.resource), at, { vhds: true });
      if (!decoded.ok) return decoded;
      const resources = decoded.resources;
      if (type === 'CDS') {
        change = applyResponse(snapshot, 'CDS', version, wholeSet(snapshot.clusters, snapshot.warmingClusters, resources as AppliedResource<Cluster>[], removed), at);
      } else if (type === 'LDS') {
        change = applyResponse(snapshot, 'LDS', version, wholeSet(snapshot.listeners, snapshot.warmingListeners, resources as AppliedResource<Listener>[], removed), at);
      } else if (type === 'RDS') {
        change = applyResponse(snapshot, 'RDS', version, this.vhds.fromRds(resources as AppliedResource<RouteConfiguration>[], removed), at, removed);
      } else {
        change = applyResponse(snapshot, 'EDS', version, resources as AppliedResource<ClusterLoadAssignment>[], at, removed);
      }
    }
    let held = this.versions.get(type);
    if (!held) this.versions.set(type, (held = new Map()));
    for (const r of response.resources) held.set(r.name, r.version);
    for (const name of removed) held.delete(name);
    return { ok: true, ...(change ? { change } : {}) };
  }
}

/** The virtual hosts of a VHDS response, decoded; any invalid one rejects the response. */
function decodeVirtualHosts(
  response: DeltaDiscoveryResponse,
  at: Date,
): { readonly ok: true; readonly hosts: AppliedResource<VirtualHost>[] } | { readonly ok: false; readonly message: string; readonly rejected: RejectedResource[] } {
  const hosts: AppliedResource<VirtualHost>[] = [];
  const rejected: RejectedResource[] = [];
  for (const r of response.resources) {
    try {
      const raw = unpackResource(r.resource);
      const result = decodeResource(TypeUrl.VirtualHost, raw);
      if (result.ok) hosts.push({ name: r.name, value: result.value, raw, hash: contentHash(r.resource.value), versionInfo: response.system_version_info, lastUpdated: at });
      else rejected.push({ name: r.name, raw, errors: result.errors });
    } catch (err) {
      rejected.push({ name: r.name, errors: [`cannot decode VHDS resource: ${(err as Error).message}`] });
    }
  }
  if (rejected.length === 0) return { ok: true, hosts };
  return { ok: false, message: rejected.flatMap((x) => x.errors.map((e) => `${x.name}: ${e}`)).join('\n'), rejected };
}

/** CDS and LDS: what is held (warming versions are the newest), less what went, with what came. */
function wholeSet<T>(
  live: ReadonlyMap<string, AppliedResource<T>>,
  warming: ReadonlyMap<string, AppliedResource<T>>,
  incoming: readonly AppliedResource<T>[],
  removed: readonly string[],
): AppliedResource<T>[] {
  const held = new Map([...live, ...warming]);
  for (const name of removed) held.delete(name);
  for (const r of incoming) held.set(r.name, r);
  return [...held.values()];
}
