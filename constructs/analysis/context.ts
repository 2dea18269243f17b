import { ManifestInput } from './manifest-input';
import { ManifestObject } from './manifest-object';
import { asArray, asRecord, asString, asStringMap, labelsMatch } from './private/fields';
import { HostIndex, hostMatches, resolveHost } from './private/hosts';
import { Workload, workloadOf } from './workload';

/** API group of Istio's traffic kinds. */
export const NETWORKING_GROUP = 'networking.istio.io';
/** API group of Istio's security kinds. */
export const SECURITY_GROUP = 'security.istio.io';

/** Namespaces Istio's analyzers leave alone: Kubernetes' own. */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Values of the `istio` label on Istio's own components (control plane, gateways). */
const ISTIO_COMPONENTS: ReadonlySet<string> = new Set(['pilot', 'istiod', 'ingressgateway', 'egressgateway', 'eastwestgateway']);

/** Settings of an analysis run. */
export interface AnalysisOptions {
  /**
   * Istio's root namespace: a PeerAuthentication without selector there is mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The cluster's DNS domain, used to qualify short host names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Namespace of manifests that do not name one (what `kubectl apply` would use).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/**
 * Everything the rules see of one analysis run: the objects, indexed by kind, and
 * the name resolution Istio applies (short hosts, `ns/name` gateway references).
 */
export class AnalysisContext {
  public readonly objects: readonly ManifestObject[];
  public readonly rootNamespace: string;
  public readonly clusterDomain: string;
  public readonly defaultNamespace: string;
  /** Every namespace mentioned: objects' namespaces, Namespace objects and the default one. */
  public readonly namespaces: ReadonlySet<string>;
  /** Pods declared by Deployments, StatefulSets, DaemonSets and Pods. */
  public readonly workloads: readonly Workload[];

  private readonly byKind = new Map<string, ManifestObject[]>();
  private readonly servicesByFqdn = new Map<string, ManifestObject>();
  // Indexes built on first use, so that every rule stays linear in the number of objects.
  private drIndex?: HostIndex<ManifestObject>;
  private seIndex?: HostIndex<ManifestObject>;
  private readonly seHosts = new Map<ManifestObject, readonly string[]>();
  private knownHosts?: readonly string[];
  private gatewayNames?: ReadonlySet<string>;
  private workloadsByLabel?: Map<string, Workload[]>;
  private workloadsByNamespace?: Map<string, Workload[]>;

  public constructor(inputs: readonly ManifestInput[], options: AnalysisOptions = {}) {
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    const objects: ManifestObject[] = [];
    for (const input of inputs) {
      const object = ManifestObject.from(input.object, input.source, this.defaultNamespace);
      if (object) objects.push(object);
    }
    this.objects = objects;

    const namespaces = new Set<string>([this.defaultNamespace, this.rootNamespace]);
    for (const o of objects) {
      namespaces.add(o.namespace);
      if (o.is('', 'Namespace') && o.name) namespaces.add(o.name);
      const key = `${o.group}/${o.kind}`;
      const list = this.byKind.get(key) ?? [];
      list.push(o);
      this.byKind.set(key, list);
    }
    this.namespaces = namespaces;
    for (const service of this.ofKind('', 'Service')) {
      this.servicesByFqdn.set(this.serviceFqdn(service), service);
    }
    this.workloads = objects.flatMap((o) => workloadOf(o) ?? []);
  }

  /** Objects of `kind` in `group` (any version), in input order. */
  public ofKind(group: string, kind: string): readonly ManifestObject[] {
    return this.byKind.get(`${group}/${kind}`) ?? [];
  }

  public get virtualServices(): readonly ManifestObject[] {
    return this.ofKind(NETWORKING_GROUP, 'VirtualService');
  }

  public get destinationRules(): readonly ManifestObject[] {
    return this.ofKind(NETWORKING_GROUP, 'DestinationRule');
  }

  public get serviceEntries(): readonly ManifestObject[] {
    return this.ofKind(NETWORKING_GROUP, 'ServiceEntry');
  }

  public get services(): readonly ManifestObject[] {
    return this.ofKind('', 'Service');
  }

  /** True for Kubernetes' own namespaces, which the workload and port rules skip. */
  public isSystemNamespace(namespace: string): boolean {
    return SYSTEM_NAMESPACES.has(namespace);
  }

  /**
   * True for Istio's own components (label `istio: pilot|istiod|ingressgateway|egressgateway|eastwestgateway`),
   * which follow their own port naming, as Istio's analyzers assume.
   */
  public static isIstioComponent(labels: Readonly<Record<string, string>>): boolean {
    return labels.istio !== undefined && ISTIO_COMPONENTS.has(labels.istio);
  }

  /** The fully qualified form of `host` as written in an object of `namespace`. */
  public resolveHost(host: string, namespace: string): string {
    return resolveHost(host, namespace, this.namespaces, this.clusterDomain);
  }

  /** `name.namespace.svc.<domain>` of a Service. */
  public serviceFqdn(service: ManifestObject): string {
    return `${service.name}.${service.namespace}.svc.${this.clusterDomain}`.toLowerCase();
  }

  /** The Service whose FQDN is `fqdn`. */
  public serviceByFqdn(fqdn: string): ManifestObject | undefined {
    return this.servicesByFqdn.get(fqdn);
  }

  /** ServiceEntries with a host covering `fqdn` (wildcard hosts included). */
  public serviceEntriesFor(fqdn: string): readonly ManifestObject[] {
    this.seIndex ??= new HostIndex(this.serviceEntries.map((se) => ({ object: se, hosts: this.serviceEntryHosts(se) })));
    return this.seIndex.lookup(fqdn);
  }

  /** The hosts of a ServiceEntry, resolved relative to its namespace. */
  public serviceEntryHosts(serviceEntry: ManifestObject): readonly string[] {
    let hosts = this.seHosts.get(serviceEntry);
    if (!hosts) {
      hosts = asArray(serviceEntry.spec.hosts)
        .flatMap((h) => asString(h) ?? [])
        .map((h) => this.resolveHost(h, serviceEntry.namespace));
      this.seHosts.set(serviceEntry, hosts);
    }
    return hosts;
  }

  /**
   * True when a resolved host names something in the mesh: a Service, or a
   * ServiceEntry host. A wildcard `host` is known when it covers any of them.
   */
  public hostIsKnown(fqdn: string): boolean {
    if (this.servicesByFqdn.has(fqdn) || this.serviceEntriesFor(fqdn).length > 0) return true;
    if (!fqdn.includes('*')) return false;
    this.knownHosts ??= [...this.servicesByFqdn.keys(), ...this.serviceEntries.flatMap((se) => this.serviceEntryHosts(se))];
    return this.knownHosts.some((h) => hostMatches(fqdn, h));
  }

  /** DestinationRules whose host (resolved relative to their namespace) covers `fqdn`, in input order. */
  public destinationRulesFor(fqdn: string): readonly ManifestObject[] {
    this.drIndex ??= new HostIndex(this.destinationRules.map((dr) => {
      const host = asString(dr.spec.host);
      return { object: dr, hosts: host === undefined ? [] : [this.resolveHost(host, dr.namespace)] };
    }));
    return this.drIndex.lookup(fqdn);
  }

  /**
   * Workloads in `namespace` whose pod labels carry every label of `selector`
   * (all of the namespace's workloads for an empty selector), in input order.
   */
  public workloadsSelected(namespace: string, selector: Readonly<Record<string, string>>): readonly Workload[] {
    if (!this.workloadsByLabel || !this.workloadsByNamespace) {
      const byLabel = new Map<string, Workload[]>();
      const byNamespace = new Map<string, Workload[]>();
      const add = (map: Map<string, Workload[]>, key: string, w: Workload) => {
        const list = map.get(key);
        if (list) list.push(w);
        else map.set(key, [w]);
      };
      for (const w of this.workloads) {
        const ns = w.object.namespace;
        add(byNamespace, ns, w);
        for (const [k, v] of Object.entries(w.podLabels)) add(byLabel, `${ns}\u0000${k}\u0000${v}`, w);
      }
      this.workloadsByLabel = byLabel;
      this.workloadsByNamespace = byNamespace;
    }
    const entries = Object.entries(selector);
    if (entries.length === 0) return this.workloadsByNamespace.get(namespace) ?? [];
    const [k, v] = entries[0];
    const candidates = this.workloadsByLabel.get(`${namespace}\u0000${k}\u0000${v}`) ?? [];
    return entries.length === 1 ? candidates : candidates.filter((w) => labelsMatch(selector, w.podLabels));
  }

  /**
   * The gateways a VirtualService is bound to, as `namespace/name`, with `mesh`
   * kept as is; `mesh` alone when `spec.gateways` is empty.
   */
  public gatewaysOf(virtualService: ManifestObject): readonly string[] {
    const names = asArray(virtualService.spec.gateways).flatMap((g) => asString(g) ?? []);
    if (names.length === 0) return ['mesh'];
    return names.map((g) => this.qualifyGateway(g, virtualService.namespace));
  }

  /** `ns/name` for a gateway reference written in `namespace`; `mesh` stays `mesh`. */
  public qualifyGateway(reference: string, namespace: string): string {
    if (reference === 'mesh') return reference;
    return reference.includes('/') ? reference : `${namespace}/${reference}`;
  }

  /** The `spec.hosts` of an object with their indexes, resolved relative to its namespace. */
  public hostsOf(object: ManifestObject): ReadonlyArray<{ readonly host: string; readonly index: number }> {
    return asArray(object.spec.hosts).flatMap((h, index) => {
      const host = asString(h);
      return host ? [{ host: this.resolveHost(host, object.namespace), index }] : [];
    });
  }

  /** A Gateway (Istio's, or Gateway API's) named `ns/name`. */
  public gatewayExists(qualified: string): boolean {
    const [namespace, name] = qualified.split('/');
    this.gatewayNames ??= new Set([
      ...this.ofKind(NETWORKING_GROUP, 'Gateway'),
      ...this.ofKind('gateway.networking.k8s.io', 'Gateway'),
    ].map((g) => `${g.namespace}\u0000${g.name}`));
    return this.gatewayNames.has(`${namespace}\u0000${name}`);
  }

  /** `spec.selector.matchLabels` style selector of a workload-scoped policy. */
  public static selectorOf(object: ManifestObject): Readonly<Record<string, string>> | undefined {
    const matchLabels = asStringMap(asRecord(object.spec.selector)?.matchLabels);
    return Object.keys(matchLabels).length === 0 ? undefined : matchLabels;
  }
}
