/**
 * The configuration the proxy applied, as one immutable value: live listeners,
 * route configurations, clusters and load assignments by name, the resources
 * still warming (Envoy's `warming_state`), and the accepted version of each
 * type. Each applied xDS response yields a new snapshot; the data plane reads
 * whichever snapshot is current and never sees a half-applied response.
 */
import type { Cluster, ClusterLoadAssignment, FilterChain, Listener, RouteConfiguration } from '../../xds/resources';
import type { AppliedResource, TypeVersion, XdsTypeName } from './applied-resource';
import { httpConnectionManagersOf } from './references';

export type AppliedListener = AppliedResource<Listener>;
export type AppliedRouteConfig = AppliedResource<RouteConfiguration>;
export type AppliedCluster = AppliedResource<Cluster>;
export type AppliedLoadAssignment = AppliedResource<ClusterLoadAssignment>;

export interface ProxyConfigSnapshotProps {
  /** Listeners that serve. @default none */
  readonly listeners?: ReadonlyMap<string, AppliedListener>;
  /** Listeners waiting for their route configurations (a listener may be live in an older form meanwhile). @default none */
  readonly warmingListeners?: ReadonlyMap<string, AppliedListener>;
  /** @default none */
  readonly routeConfigs?: ReadonlyMap<string, AppliedRouteConfig>;
  /** Clusters that serve. @default none */
  readonly clusters?: ReadonlyMap<string, AppliedCluster>;
  /** Clusters waiting for their endpoints. @default none */
  readonly warmingClusters?: ReadonlyMap<string, AppliedCluster>;
  /** Load assignments by EDS service name (the cluster's name unless its `service_name` says otherwise). @default none */
  readonly loadAssignments?: ReadonlyMap<string, AppliedLoadAssignment>;
  /** Accepted version of each type. @default '' for every type */
  readonly versions?: Readonly<Partial<Record<XdsTypeName, TypeVersion>>>;
  /** Increases by one with every applied change. @default 0 */
  readonly revision?: number;
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>();
const NO_VERSION: TypeVersion = Object.freeze({ versionInfo: '' });

export class ProxyConfigSnapshot {
  /** The snapshot before any configuration arrived. */
  public static empty(): ProxyConfigSnapshot {
    return new ProxyConfigSnapshot({});
  }

  public readonly listeners: ReadonlyMap<string, AppliedListener>;
  public readonly warmingListeners: ReadonlyMap<string, AppliedListener>;
  public readonly routeConfigs: ReadonlyMap<string, AppliedRouteConfig>;
  public readonly clusters: ReadonlyMap<string, AppliedCluster>;
  public readonly warmingClusters: ReadonlyMap<string, AppliedCluster>;
  public readonly loadAssignments: ReadonlyMap<string, AppliedLoadAssignment>;
  public readonly revision: number;
  private readonly versions: Readonly<Partial<Record<XdsTypeName, TypeVersion>>>;

  public constructor(props: ProxyConfigSnapshotProps) {
    this.listeners = props.listeners ?? EMPTY;
    this.warmingListeners = props.warmingListeners ?? EMPTY;
    this.routeConfigs = props.routeConfigs ?? EMPTY;
    this.clusters = props.clusters ?? EMPTY;
    this.warmingClusters = props.warmingClusters ?? EMPTY;
    this.loadAssignments = props.loadAssignments ?? EMPTY;
    this.versions = Object.freeze({ ...(props.versions ?? {}) });
    this.revision = props.revision ?? 0;
    Object.freeze(this);
  }

  /** A copy with some parts replaced and the revision increased. */
  public with(changes: Omit<ProxyConfigSnapshotProps, 'revision'>): ProxyConfigSnapshot {
    return new ProxyConfigSnapshot({
      listeners: changes.listeners ?? this.listeners,
      warmingListeners: changes.warmingListeners ?? this.warmingListeners,
      routeConfigs: changes.routeConfigs ?? this.routeConfigs,
      clusters: changes.clusters ?? this.clusters,
      warmingClusters: changes.warmingClusters ?? this.warmingClusters,
      loadAssignments: changes.loadAssignments ?? this.loadAssignments,
      versions: { ...this.versions, ...(changes.versions ?? {}) },
      revision: this.revision + 1,
    });
  }

  /** The accepted version of a type (`versionInfo` '' before any response of that type). */
  public version(type: XdsTypeName): TypeVersion {
    return this.versions[type] ?? NO_VERSION;
  }

  /** A live listener. */
  public listener(name: string): Listener | undefined {
    return this.listeners.get(name)?.value;
  }

  /** A route configuration by name. */
  public routeConfig(name: string): RouteConfiguration | undefined {
    return this.routeConfigs.get(name)?.value;
  }

  /** A live cluster. */
  public cluster(name: string): Cluster | undefined {
    return this.clusters.get(name)?.value;
  }

  /** A load assignment by EDS service name. */
  public loadAssignment(serviceName: string): ClusterLoadAssignment | undefined {
    return this.loadAssignments.get(serviceName)?.value;
  }

  /**
   * The route configuration an HTTP listener routes with: the one its HTTP
   * connection manager names over RDS, or its inline one. With a filter chain
   * given, that chain's manager; else the first manager of the listener.
   * `undefined` when the listener is not live, has no HTTP connection manager,
   * or its RDS configuration has not arrived (Envoy then answers 404, NR).
   */
  public routeConfigFor(listener: string | Listener, filterChain?: FilterChain): RouteConfiguration | undefined {
    const resolved = typeof listener === 'string' ? this.listener(listener) : listener;
    if (!resolved) return undefined;
    const hcm = filterChain
      ? filterChain.filters.find((f) => f.kind === 'httpConnectionManager')?.config
      : httpConnectionManagersOf(resolved)[0];
    if (!hcm) return undefined;
    const source = hcm.routeSource;
    return source.kind === 'inline' ? source.routeConfig : this.routeConfig(source.routeConfigName);
  }

  /**
   * The endpoints of a live cluster: for EDS, the load assignment of its
   * service name (`undefined` until it arrives, or when it timed out); for
   * STATIC and DNS clusters, the assignment they carry; `undefined` for
   * ORIGINAL_DST.
   */
  public endpointsFor(cluster: string | Cluster): ClusterLoadAssignment | undefined {
    const resolved = typeof cluster === 'string' ? this.cluster(cluster) : cluster;
    if (!resolved) return undefined;
    const discovery = resolved.discovery;
    switch (discovery.type) {
      case 'EDS':
        return this.loadAssignment(discovery.serviceName);
      case 'STATIC':
      case 'STRICT_DNS':
      case 'LOGICAL_DNS':
        return discovery.loadAssignment;
      default:
        return undefined;
    }
  }
}
