/**
 * The services of the mesh and their endpoints, built from a config snapshot:
 * Kubernetes Services with their EndpointSlices (discovery.k8s.io/v1) or
 * Endpoints (or, lacking both, the Pods their selector picks), WorkloadEntries a
 * Service selects, and ServiceEntries with inline endpoints or a workloadSelector
 * over WorkloadEntries and Pods. Hosts resolve relative to a namespace as Istio
 * does (`reviews`, `reviews.default`, `reviews.default.svc`, the FQDN).
 */
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../../constructs/api';
import type { ConfigObject } from './config-object';
import type { ConfigSnapshot } from './config-snapshot';
import { DEFAULT_DOMAIN_SUFFIX, hostMatches, labelsMatch, qualifyHost } from './host-match';

/** A port of a service; `protocol` upper case (`HTTP`, `HTTP2`, `GRPC`, `TCP`, `TLS`, `HTTPS`, ...). */
export interface ServicePortInfo {
  readonly name: string;
  readonly port: number;
  /** Port of the workloads behind it. @default port */
  readonly targetPort?: number;
  readonly protocol: string;
}

/** One workload instance behind a service. */
export interface ServiceEndpoint {
  readonly address: string;
  /** Endpoint port by service port name (EndpointSlice/Endpoints ports, WorkloadEntry ports). */
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly healthy: boolean;
  /** Load-balancing weight. @default 1 */
  readonly weight?: number;
  /** `region/zone/subzone`. */
  readonly locality?: string;
  /** Pod, WorkloadEntry or inline endpoint it came from (`Pod default/reviews-v1-abc`). */
  readonly workload?: string;
}

export type ServiceResolution = 'EDS' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';

export interface RegistryService {
  /** FQDN for Kubernetes services, the host as written for ServiceEntries. */
  readonly hostname: string;
  /** Kubernetes Service name, or the ServiceEntry's. */
  readonly name: string;
  readonly namespace: string;
  readonly origin: 'Kubernetes' | 'ServiceEntry';
  /** Cluster IP / ServiceEntry addresses. */
  readonly addresses: readonly string[];
  readonly ports: readonly ServicePortInfo[];
  /** `EDS` for mesh services discovered through the registry. */
  readonly resolution: ServiceResolution;
  readonly location: 'MESH_INTERNAL' | 'MESH_EXTERNAL';
  readonly endpoints: readonly ServiceEndpoint[];
  /** Namespaces the service is visible from (`*` all, `.` its own). */
  readonly exportTo: readonly string[];
  /** Labels picking the service's workloads (Service selector, ServiceEntry workloadSelector). */
  readonly selector?: Readonly<Record<string, string>>;
}

export interface ServiceRegistryOptions {
  /** @default 'cluster.local' */
  readonly domainSuffix?: string;
}

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRec(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * The protocol of a port: its declared application protocol (ServiceEntry
 * `protocol`, Service `appProtocol`), else its name prefix (`http-web` → HTTP),
 * else `UNKNOWN` (Istio sniffs those; the translation routes them as HTTP).
 */
export function portProtocol(name: string | undefined, applicationProtocol?: string): string {
  if (applicationProtocol) return applicationProtocol.toUpperCase();
  const prefix = (name ?? '').split('-')[0]?.toUpperCase() ?? '';
  const known = ['HTTP', 'HTTP2', 'HTTPS', 'GRPC', 'GRPC-WEB', 'TCP', 'TLS', 'MONGO', 'REDIS', 'MYSQL'];
  if (known.includes(prefix)) return prefix;
  if (name?.toLowerCase().startsWith('grpc-web')) return 'GRPC-WEB';
  return 'UNKNOWN';
}

/** Whether traffic on a port of this protocol is routed as HTTP. */
export function isHttpProtocol(protocol: string): boolean {
  return ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'UNKNOWN'].includes(protocol);
}

/** The port of `endpoint` serving `port`. */
export function endpointPort(endpoint: ServiceEndpoint, port: ServicePortInfo): number {
  return endpoint.ports[port.name] ?? endpoint.ports[''] ?? port.targetPort ?? port.port;
}

export class ServiceRegistry {
  /** Builds the registry of `snapshot`. */
  public static fromSnapshot(snapshot: ConfigSnapshot, options: ServiceRegistryOptions = {}): ServiceRegistry {
    return new ServiceRegistry(snapshot, options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX);
  }

  private readonly services: RegistryService[] = [];
  private readonly byHost = new Map<string, RegistryService[]>();
  /** EndpointSlices by `namespace/service name` (their kubernetes.io/service-name label), made on first use. */
  private slicesByService: Map<string, ConfigObject[]> | undefined;

  private constructor(private readonly snapshot: ConfigSnapshot, public readonly domainSuffix: string) {
    for (const svc of snapshot.list('Service')) this.add(this.kubernetesService(svc));
    for (const se of snapshot.istio('ServiceEntry')) for (const s of this.serviceEntry(se)) this.add(s);
  }

  private add(service: RegistryService | undefined): void {
    if (!service) return;
    this.services.push(service);
    const list = this.byHost.get(service.hostname) ?? [];
    list.push(service);
    this.byHost.set(service.hostname, list);
  }

  /** Every service, Kubernetes ones first, each group by namespace then name. */
  public all(): readonly RegistryService[] {
    return this.services;
  }

  /** Services named exactly `hostname`. */
  public byHostname(hostname: string): readonly RegistryService[] {
    return this.byHost.get(hostname) ?? [];
  }

  /**
   * The service `host` names when written in `namespace` (short names, `name.ns`,
   * `name.ns.svc`, FQDN, ServiceEntry hosts); among ServiceEntries sharing a host,
   * the one in `namespace` wins.
   */
  public resolve(host: string, namespace: string): RegistryService | undefined {
    for (const candidate of [host, qualifyHost(host, namespace, this.domainSuffix)]) {
      const list = this.byHost.get(candidate);
      if (list && list.length > 0) return list.find((s) => s.namespace === namespace) ?? list[0];
    }
    return undefined;
  }

  /** The FQDN `host` stands for in `namespace`: the resolved service's host name, or the qualified name. */
  public fqdn(host: string, namespace: string): string {
    return this.resolve(host, namespace)?.hostname ?? qualifyHost(host, namespace, this.domainSuffix);
  }

  /** Services whose host name `pattern` (maybe a wildcard, maybe short) matches. */
  public matching(pattern: string, namespace: string): RegistryService[] {
    if (pattern.startsWith('*')) return this.services.filter((s) => hostMatches(pattern, s.hostname));
    const s = this.resolve(pattern, namespace);
    return s ? [s] : [];
  }

  /** Whether `service` is visible from `namespace` through its exportTo. */
  public static visibleFrom(service: RegistryService, namespace: string): boolean {
    return service.exportTo.some((e) => e === '*' || (e === '.' ? service.namespace === namespace : e === namespace));
  }

  // --- Kubernetes -----------------------------------------------------------

  private kubernetesService(svc: ConfigObject): RegistryService | undefined {
    const spec = isRec(svc.spec) ? svc.spec : {};
    if (spec.type === 'ExternalName') return undefined;
    const ports: ServicePortInfo[] = arr(spec.ports).filter(isRec).map((p) => ({
      name: typeof p.name === 'string' ? p.name : '',
      port: Number(p.port),
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : undefined,
      protocol: p.protocol === 'UDP' ? 'UDP'
        : portProtocol(typeof p.name === 'string' ? p.name : undefined, typeof p.appProtocol === 'string' ? p.appProtocol : undefined),
    }));
    const selector = isRec(spec.selector) ? strMap(spec.selector) : undefined;
    const clusterIp = typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' && spec.clusterIP !== '' ? [spec.clusterIP] : [];
    const exportTo = (svc.annotations['networking.istio.io/exportTo'] ?? '*').split(',').map((s) => s.trim()).filter((s) => s !== '');
    return {
      hostname: `${svc.name}.${svc.namespace}.svc.${this.domainSuffix}`,
      name: svc.name,
      namespace: svc.namespace,
      origin: 'Kubernetes',
      addresses: clusterIp,
      ports,
      resolution: 'EDS',
      location: 'MESH_INTERNAL',
      endpoints: this.kubernetesEndpoints(svc, selector),
      exportTo,
      ...(selector ? { selector } : {}),
    };
  }

  private kubernetesEndpoints(svc: ConfigObject, selector: Record<string, string> | undefined): ServiceEndpoint[] {
    const slices = this.slicesOf(svc.namespace, svc.name);
    let out: ServiceEndpoint[];
    if (slices.length > 0) out = slices.flatMap((s) => this.sliceEndpoints(s));
    else {
      const eps = this.snapshot.get('Endpoints', svc.namespace, svc.name);
      if (eps) out = this.endpointsObject(eps);
      else out = selector && Object.keys(selector).length > 0 ? this.podEndpoints(svc.namespace, selector) : [];
    }
    if (selector && Object.keys(selector).length > 0) out.push(...this.workloadEntries(svc.namespace, selector));
    return out;
  }

  private slicesOf(namespace: string, service: string): readonly ConfigObject[] {
    if (!this.slicesByService) {
      this.slicesByService = new Map();
      for (const slice of this.snapshot.list('EndpointSlice')) {
        const name = slice.labels['kubernetes.io/service-name'];
        if (name === undefined) continue;
        const key = `${slice.namespace}/${name}`;
        const list = this.slicesByService.get(key);
        if (list) list.push(slice);
        else this.slicesByService.set(key, [slice]);
      }
    }
    return this.slicesByService.get(`${namespace}/${service}`) ?? [];
  }

  private sliceEndpoints(slice: ConfigObject): ServiceEndpoint[] {
    const m = slice.manifest;
    const ports: Record<string, number> = {};
    for (const p of arr(m.ports).filter(isRec)) ports[typeof p.name === 'string' ? p.name : ''] = Number(p.port);
    const out: ServiceEndpoint[] = [];
    for (const e of arr(m.endpoints).filter(isRec)) {
      const conditions = isRec(e.conditions) ? e.conditions : {};
      const healthy = conditions.ready !== false;
      const labels = this.labelsOfTarget(slice.namespace, e.targetRef);
      for (const address of arr(e.addresses)) {
        if (typeof address !== 'string') continue;
        out.push({ address, ports, labels, healthy, ...(typeof e.zone === 'string' ? { locality: `/${e.zone}` } : {}), ...this.workloadOf(e.targetRef, slice.namespace) });
      }
    }
    return out;
  }

  private endpointsObject(eps: ConfigObject): ServiceEndpoint[] {
    const out: ServiceEndpoint[] = [];
    for (const subset of arr(eps.manifest.subsets).filter(isRec)) {
      const ports: Record<string, number> = {};
      for (const p of arr(subset.ports).filter(isRec)) ports[typeof p.name === 'string' ? p.name : ''] = Number(p.port);
      for (const [list, healthy] of [[subset.addresses, true], [subset.notReadyAddresses, false]] as const) {
        for (const a of arr(list).filter(isRec)) {
          if (typeof a.ip !== 'string') continue;
          out.push({ address: a.ip, ports, labels: this.labelsOfTarget(eps.namespace, a.targetRef), healthy, ...this.workloadOf(a.targetRef, eps.namespace) });
        }
      }
    }
    return out;
  }

  private podEndpoints(namespace: string, selector: Record<string, string>): ServiceEndpoint[] {
    const out: ServiceEndpoint[] = [];
    for (const pod of this.snapshot.list('Pod', namespace)) {
      if (!labelsMatch(selector, pod.labels)) continue;
      const status = isRec(pod.manifest.status) ? pod.manifest.status : {};
      if (typeof status.podIP !== 'string') continue;
      const ready = arr(status.conditions).filter(isRec).find((c) => c.type === 'Ready');
      out.push({ address: status.podIP, ports: {}, labels: pod.labels, healthy: ready ? ready.status === 'True' : status.phase !== 'Failed', workload: `Pod ${namespace}/${pod.name}` });
    }
    return out;
  }

  /** Labels of the Pod a targetRef names; lacking the Pod, of the Deployment (or StatefulSet) whose name prefixes the Pod's. */
  private labelsOfTarget(namespace: string, targetRef: unknown): Record<string, string> {
    if (!isRec(targetRef) || targetRef.kind !== 'Pod' || typeof targetRef.name !== 'string') return {};
    const ns = typeof targetRef.namespace === 'string' ? targetRef.namespace : namespace;
    const pod = this.snapshot.get('Pod', ns, targetRef.name);
    if (pod) return { ...pod.labels };
    const podName = targetRef.name;
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
      const owner = this.snapshot
        .list(kind, ns)
        .filter((d) => podName.startsWith(`${d.name}-`))
        .sort((a, b) => b.name.length - a.name.length)[0];
      if (owner) {
        const spec = isRec(owner.spec) ? owner.spec : {};
        const template = isRec(spec.template) ? spec.template : {};
        const metadata = isRec(template.metadata) ? template.metadata : {};
        return strMap(metadata.labels);
      }
    }
    return {};
  }

  private workloadOf(targetRef: unknown, namespace: string): { workload?: string } {
    if (!isRec(targetRef) || typeof targetRef.name !== 'string') return {};
    return { workload: `${String(targetRef.kind ?? 'Pod')} ${typeof targetRef.namespace === 'string' ? targetRef.namespace : namespace}/${targetRef.name}` };
  }

  // --- WorkloadEntry and ServiceEntry -----------------------------------------

  private workloadEntries(namespace: string, selector: Record<string, string>): ServiceEndpoint[] {
    return this.snapshot
      .istio('WorkloadEntry', namespace)
      .filter((we) => labelsMatch(selector, { ...we.labels, ...(we.spec.labels ?? {}) }))
      .map((we) => workloadEndpoint(we.spec, `WorkloadEntry ${we.namespace}/${we.name}`, we.labels));
  }

  private serviceEntry(se: ConfigObject<ServiceEntrySpec>): RegistryService[] {
    const spec = se.spec;
    const resolution = spec.resolution ?? 'NONE';
    const ports: ServicePortInfo[] = (spec.ports ?? []).map((p) => ({
      name: p.name,
      port: p.number,
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      protocol: portProtocol(p.name, p.protocol),
    }));
    let endpoints: ServiceEndpoint[];
    if (spec.workloadSelector) {
      const selector = spec.workloadSelector.labels;
      endpoints = [
        ...this.workloadEntries(se.namespace, selector),
        ...this.podEndpoints(se.namespace, selector),
      ];
    } else {
      endpoints = (spec.endpoints ?? []).map((e, i) => workloadEndpoint(e, `ServiceEntry ${se.namespace}/${se.name} endpoints[${i}]`, {}));
    }
    return spec.hosts.map((host) => ({
      hostname: host,
      name: se.name,
      namespace: se.namespace,
      origin: 'ServiceEntry' as const,
      addresses: spec.addresses ?? [],
      ports,
      resolution,
      location: spec.location ?? 'MESH_EXTERNAL',
      endpoints,
      exportTo: spec.exportTo && spec.exportTo.length > 0 ? spec.exportTo : ['*'],
      ...(spec.workloadSelector ? { selector: spec.workloadSelector.labels } : {}),
    }));
  }
}

function workloadEndpoint(spec: WorkloadEntrySpec, workload: string, metadataLabels: Readonly<Record<string, string>>): ServiceEndpoint {
  return {
    address: spec.address ?? '',
    ports: spec.ports ?? {},
    labels: { ...metadataLabels, ...(spec.labels ?? {}) },
    healthy: true,
    ...(spec.weight !== undefined ? { weight: spec.weight } : {}),
    ...(spec.locality !== undefined ? { locality: spec.locality } : {}),
    workload,
  };
}

