/**
 * Envoy's `/config_dump` for the dynamic configuration of a snapshot: one
 * `ListenersConfigDump`, `ClustersConfigDump`, `RoutesConfigDump` and
 * `EndpointsConfigDump`, rendered from the plain proto JSON each resource
 * arrived as, with `version_info` and `last_updated`, so Istio's habits
 * (`istioctl proxy-config`, reading a dump by eye) carry over.
 */
import type { PlainMessage } from '../../xds/protos';
import { TypeUrl } from '../../xds/resource-types';
import type { AppliedResource, XdsTypeName } from './applied-resource';
import type { ProxyConfigSnapshot } from './proxy-config-snapshot';
import type { UpdateFailure } from './update-failure';
import { redactPrivateKeys } from '../../xds/redact-secrets';

export const ConfigDumpTypeUrl = {
  Listeners: 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
  Clusters: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
  Routes: 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  Endpoints: 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
} as const;

/** A JSON object of the dump. */
export type DumpObject = Record<string, unknown>;

export interface ConfigDump {
  readonly configs: readonly DumpObject[];
}

export interface ConfigDumpOptions {
  /** Rejected responses, rendered as `error_state` of the resources they concern. @default none */
  readonly updateFailures?: readonly UpdateFailure[];
}

/** Renders the dump (plain JSON, ready for `JSON.stringify`). */
export function configDump(snapshot: ProxyConfigSnapshot, options: ConfigDumpOptions = {}): ConfigDump {
  const failures = failuresByName(options.updateFailures ?? []);
  return {
    configs: [
      listenersDump(snapshot, failures.LDS),
      clustersDump(snapshot, failures.CDS),
      routesDump(snapshot, failures.RDS),
      endpointsDump(snapshot, failures.EDS),
    ],
  };
}

type FailuresByName = ReadonlyMap<string, DumpObject>;

function failuresByName(list: readonly UpdateFailure[]): Record<XdsTypeName, FailuresByName> {
  const out: Record<XdsTypeName, Map<string, DumpObject>> = { CDS: new Map(), EDS: new Map(), LDS: new Map(), RDS: new Map() };
  for (const failure of list) {
    for (const resource of failure.resources) {
      out[failure.type].set(resource.name, {
        ...(resource.raw ? { failed_configuration: withType(typeUrlOf(failure.type), resource.raw) } : {}),
        last_update_attempt: failure.at.toISOString(),
        details: resource.errors.map((e) => `${resource.name}: ${e}`).join('\n'),
        version_info: failure.versionInfo,
      });
    }
  }
  return out;
}

function typeUrlOf(type: XdsTypeName): string {
  switch (type) {
    case 'CDS': return TypeUrl.Cluster;
    case 'EDS': return TypeUrl.ClusterLoadAssignment;
    case 'LDS': return TypeUrl.Listener;
    case 'RDS': return TypeUrl.RouteConfiguration;
  }
}

function withType(typeUrl: string, raw: PlainMessage): DumpObject {
  return { '@type': typeUrl, ...raw };
}

function sortedByName<T extends { readonly name: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function state<T>(resource: AppliedResource<T>, typeUrl: string, field: string): DumpObject {
  return { version_info: resource.versionInfo, [field]: withType(typeUrl, redactPrivateKeys(resource.raw)), last_updated: resource.lastUpdated.toISOString() };
}

function topVersion(snapshot: ProxyConfigSnapshot, type: XdsTypeName): DumpObject {
  const version = snapshot.version(type).versionInfo;
  return version === '' ? {} : { version_info: version };
}

function listenersDump(snapshot: ProxyConfigSnapshot, failures: FailuresByName): DumpObject {
  const names = new Set([...snapshot.listeners.keys(), ...snapshot.warmingListeners.keys(), ...failures.keys()]);
  const dynamic = [...names].sort().map((name) => {
    const active = snapshot.listeners.get(name);
    const warming = snapshot.warmingListeners.get(name);
    const error = failures.get(name);
    return {
      name,
      ...(active ? { active_state: state(active, TypeUrl.Listener, 'listener') } : {}),
      ...(warming ? { warming_state: state(warming, TypeUrl.Listener, 'listener') } : {}),
      ...(error ? { error_state: error } : {}),
    };
  });
  return { '@type': ConfigDumpTypeUrl.Listeners, ...topVersion(snapshot, 'LDS'), static_listeners: [], dynamic_listeners: dynamic };
}

function withError(entry: DumpObject, name: string, failures: FailuresByName, seen: Set<string>): DumpObject {
  const error = failures.get(name);
  if (!error) return entry;
  seen.add(name);
  return { ...entry, error_state: error, client_status: 'NACKED' };
}

function failedOnly(failures: FailuresByName, seen: ReadonlySet<string>): DumpObject[] {
  return [...failures.entries()]
    .filter(([name]) => !seen.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, error]) => ({ error_state: error, client_status: 'NACKED' }));
}

function clustersDump(snapshot: ProxyConfigSnapshot, failures: FailuresByName): DumpObject {
  const seen = new Set<string>();
  const active = sortedByName(snapshot.clusters.values()).map((c) => withError(state(c, TypeUrl.Cluster, 'cluster'), c.name, failures, seen));
  const warming = sortedByName(snapshot.warmingClusters.values()).map((c) => withError(state(c, TypeUrl.Cluster, 'cluster'), c.name, failures, seen));
  return {
    '@type': ConfigDumpTypeUrl.Clusters,
    ...topVersion(snapshot, 'CDS'),
    static_clusters: [],
    dynamic_active_clusters: [...active, ...failedOnly(failures, seen)],
    dynamic_warming_clusters: warming,
  };
}

function routesDump(snapshot: ProxyConfigSnapshot, failures: FailuresByName): DumpObject {
  const seen = new Set<string>();
  const dynamic = sortedByName(snapshot.routeConfigs.values()).map((r) =>
    withError(state(r, TypeUrl.RouteConfiguration, 'route_config'), r.name, failures, seen));
  return { '@type': ConfigDumpTypeUrl.Routes, static_route_configs: [], dynamic_route_configs: [...dynamic, ...failedOnly(failures, seen)] };
}

function endpointsDump(snapshot: ProxyConfigSnapshot, failures: FailuresByName): DumpObject {
  const seen = new Set<string>();
  const dynamic = sortedByName(snapshot.loadAssignments.values()).map((e) =>
    withError(state(e, TypeUrl.ClusterLoadAssignment, 'endpoint_config'), e.name, failures, seen));
  return { '@type': ConfigDumpTypeUrl.Endpoints, static_endpoint_configs: [], dynamic_endpoint_configs: [...dynamic, ...failedOnly(failures, seen)] };
}
