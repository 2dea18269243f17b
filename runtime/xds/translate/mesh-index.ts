/**
 * What the translation looks up in a config snapshot, computed once per
 * snapshot and shared by every proxy: the service registry, the Istio objects
 * by kind, and the DestinationRule that applies to a host for a proxy.
 */
import type {
  DestinationRuleSpec, GatewaySpec, SidecarSpec, VirtualServiceSpec,
} from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import type { ConfigSnapshot } from '../../config/config-snapshot';
import { hostMatches, labelsMatch, qualifyHost } from '../../config/host-match';
import { RegistryService, ServiceRegistry } from '../../config/service-registry';
import type { PlainMessage } from './envoy';
import { carryOver } from './generations';
import type { ProxyIdentity } from './proxy-identity';

export interface TranslateOptions {
  /** The mesh root namespace (mesh-wide Sidecar and DestinationRules). @default 'istio-system' */
  readonly rootNamespace?: string;
  /** @default 'cluster.local' */
  readonly domainSuffix?: string;
  /** The mesh's outbound traffic policy when no Sidecar sets one. @default 'ALLOW_ANY' */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /**
   * Workload certificates are issued (a mesh CA runs): auto mTLS to sidecar
   * endpoints, PeerAuthentication on inbound listeners. @default - none: plaintext only
   */
  readonly mtls?: { readonly trustDomain: string };
}

export class MeshIndex {
  private static readonly cache = new WeakMap<ConfigSnapshot, Map<string, MeshIndex>>();

  /** The index of `snapshot` (computed once per snapshot and options). */
  public static of(snapshot: ConfigSnapshot, options: TranslateOptions = {}): MeshIndex {
    const key = JSON.stringify(options);
    let byOptions = MeshIndex.cache.get(snapshot);
    if (!byOptions) MeshIndex.cache.set(snapshot, (byOptions = new Map()));
    let index = byOptions.get(key);
    if (!index) byOptions.set(key, (index = new MeshIndex(snapshot, options)));
    return index;
  }

  public readonly registry: ServiceRegistry;
  public readonly rootNamespace: string;
  public readonly domainSuffix: string;
  public readonly defaultOutboundPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The trust domain of issued workload certificates; undefined when no CA runs (plaintext only). */
  public readonly mtlsTrustDomain: string | undefined;
  public readonly virtualServices: readonly ConfigObject<VirtualServiceSpec>[];
  public readonly destinationRules: readonly ConfigObject<DestinationRuleSpec>[];
  public readonly gateways: readonly ConfigObject<GatewaySpec>[];
  public readonly sidecars: readonly ConfigObject<SidecarSpec>[];

  /** The options, as a string (proxies are translated alike only under equal options). */
  public readonly optionsKey: string;
  private readonly memos = new Map<string, unknown>();
  private readonly listKeys = new WeakMap<readonly unknown[], string>();
  private readonly shared = new WeakSet<object>();
  private readonly interned = new Map<string, readonly PlainMessage[]>();
  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 0;

  private constructor(public readonly snapshot: ConfigSnapshot, options: TranslateOptions) {
    this.optionsKey = JSON.stringify(options);
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.domainSuffix = options.domainSuffix ?? 'cluster.local';
    this.defaultOutboundPolicy = options.outboundTrafficPolicy ?? 'ALLOW_ANY';
    this.mtlsTrustDomain = options.mtls?.trustDomain;
    this.registry = ServiceRegistry.fromSnapshot(snapshot, { domainSuffix: this.domainSuffix });
    this.virtualServices = snapshot.istio('VirtualService');
    this.destinationRules = snapshot.istio('DestinationRule');
    this.gateways = snapshot.istio('Gateway');
    this.sidecars = snapshot.istio('Sidecar');
    this.destinationRules.forEach((dr, position) => {
      const host = this.qualify(dr.spec.host, dr.namespace);
      const entry: IndexedRule = { rule: dr, host, position };
      if (host.startsWith('*')) this.wildcardRules.push(entry);
      else this.rulesByHost.set(host, [...(this.rulesByHost.get(host) ?? []), entry]);
    });
  }

  private readonly qualified = new Map<string, string>();
  /** DestinationRules by qualified (exact) host; wildcard hosts apart, in config order. */
  private readonly rulesByHost = new Map<string, IndexedRule[]>();
  private readonly wildcardRules: IndexedRule[] = [];
  private readonly vsHosts = new WeakMap<ConfigObject<VirtualServiceSpec>, readonly string[]>();
  private readonly vsLookups = new WeakMap<readonly ConfigObject<VirtualServiceSpec>[], VirtualServiceLookup>();

  /** Qualifies `host` written in `namespace` (short names become FQDNs). */
  public qualify(host: string, namespace: string): string {
    const key = `${namespace}\0${host}`;
    let out = this.qualified.get(key);
    if (out === undefined) {
      out = this.registry.resolve(host, namespace)?.hostname ?? qualifyHost(host, namespace, this.domainSuffix);
      this.qualified.set(key, out);
    }
    return out;
  }

  /** The hosts of a VirtualService, qualified in its namespace. */
  public virtualServiceHosts(vs: ConfigObject<VirtualServiceSpec>): readonly string[] {
    let hosts = this.vsHosts.get(vs);
    if (!hosts) this.vsHosts.set(vs, (hosts = (vs.spec.hosts ?? []).map((h) => this.qualify(h, vs.namespace))));
    return hosts;
  }

  /**
   * The first of `virtualServices` naming `hostname` exactly, else the first
   * with a host matching it (wildcards); the lookup is built once per list.
   */
  public virtualServiceFor(
    virtualServices: readonly ConfigObject<VirtualServiceSpec>[],
    hostname: string,
  ): ConfigObject<VirtualServiceSpec> | undefined {
    let lookup = this.vsLookups.get(virtualServices);
    if (!lookup) {
      const exact = new Map<string, ConfigObject<VirtualServiceSpec>>();
      const wildcard: ConfigObject<VirtualServiceSpec>[] = [];
      for (const vs of virtualServices) {
        const hosts = this.virtualServiceHosts(vs);
        for (const h of hosts) if (!exact.has(h)) exact.set(h, vs);
        if (hosts.some((h) => h.startsWith('*'))) wildcard.push(vs);
      }
      this.vsLookups.set(virtualServices, (lookup = { exact, wildcard }));
    }
    const found = lookup.exact.get(hostname);
    if (found) return found;
    // No exact host: only a wildcard on either side can match.
    const candidates = hostname.startsWith('*') ? virtualServices : lookup.wildcard;
    return candidates.find((vs) => this.virtualServiceHosts(vs).some((h) => hostMatches(h, hostname)));
  }

  /**
   * The DestinationRule for `hostname` as seen by `proxy`, as Istio looks it up:
   * a rule in the proxy's namespace first, then the service's namespace, then the
   * root namespace; an exact host before a wildcard. Rules not exported to the
   * proxy's namespace, and rules whose workloadSelector does not pick the proxy, are skipped.
   */
  public destinationRule(hostname: string, serviceNamespace: string, proxy: ProxyIdentity): ConfigObject<DestinationRuleSpec> | undefined {
    // Rules whose host can match: exact ones by index, wildcards (and, for a wildcard hostname, every rule) by scan.
    const pool: readonly IndexedRule[] = hostname.startsWith('*')
      ? [...this.rulesByHost.values()].flat().concat(this.wildcardRules).sort((a, b) => a.position - b.position)
      : mergeByPosition(this.rulesByHost.get(hostname) ?? [], this.wildcardRules);
    const candidates = pool.filter(({ rule: dr, host }) => {
      if (!exportedTo(dr.spec.exportTo, dr.namespace, proxy.namespace)) return false;
      if (dr.spec.workloadSelector) {
        if (dr.namespace !== proxy.namespace || !labelsMatch(dr.spec.workloadSelector.matchLabels ?? {}, proxy.labels)) return false;
      }
      return hostMatches(host, hostname);
    });
    if (candidates.length === 0) return undefined;
    if (candidates.length === 1) return candidates[0]?.rule;
    const rank = ({ rule: dr, host }: IndexedRule): number => {
      const ns = dr.namespace === proxy.namespace ? 0 : dr.namespace === serviceNamespace ? 1 : dr.namespace === this.rootNamespace ? 2 : 3;
      const exact = host === hostname ? 0 : 1;
      const selector = dr.spec.workloadSelector ? 0 : 1;
      return ns * 100 + selector * 10 + exact * 5 - Math.min(host.length, 4) / 1000;
    };
    return candidates.sort((a, b) => rank(a) - rank(b))[0]?.rule;
  }

  /**
   * Services that may be backed by the workload at `ip` in `namespace` with
   * `labels`: those with an endpoint at `ip`, and those of `namespace` whose
   * selector's first label the workload carries; in registry order (the caller
   * applies its own test to each).
   */
  public backingCandidates(ip: string, namespace: string, labels: Readonly<Record<string, string>>): readonly RegistryService[] {
    const lookup = this.memo('backing-candidates', () => {
      const byAddress = new Map<string, RegistryService[]>();
      const bySelector = new Map<string, RegistryService[]>();
      const position = new Map<RegistryService, number>();
      const add = (map: Map<string, RegistryService[]>, key: string, s: RegistryService): void => {
        const list = map.get(key);
        if (!list) map.set(key, [s]);
        else if (list[list.length - 1] !== s) list.push(s);
      };
      this.registry.all().forEach((s, i) => {
        position.set(s, i);
        for (const e of s.endpoints) add(byAddress, e.address, s);
        const first = Object.entries(s.selector ?? {})[0];
        if (first) add(bySelector, JSON.stringify([s.namespace, first[0], first[1]]), s);
      });
      return { byAddress, bySelector, position };
    });
    const found = new Set<RegistryService>(lookup.byAddress.get(ip) ?? []);
    for (const [k, v] of Object.entries(labels)) for (const s of lookup.bySelector.get(JSON.stringify([namespace, k, v])) ?? []) found.add(s);
    return [...found].sort((x, y) => (lookup.position.get(x) ?? 0) - (lookup.position.get(y) ?? 0));
  }

  /** `make()`, computed once per index and `key`. */
  public memo<T>(key: string, make: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = make();
    this.memos.set(key, value);
    return value;
  }

  /** Names a list the index made (a scope's services, say), so results computed from it can be shared. */
  public nameList<T extends readonly unknown[]>(list: T, key: string): T {
    this.listKeys.set(list, key);
    return list;
  }

  /** The name given to `list` by `nameList`, if any. */
  public listKey(list: readonly unknown[]): string | undefined {
    return this.listKeys.get(list);
  }

  /**
   * A resource shared by every proxy that asks with the same `key`: made once
   * per index, carried over from the previous index when unchanged, and marked
   * shared (see `isShared`). Nobody may mutate it.
   */
  public sharedResource(key: string, make: () => PlainMessage): PlainMessage {
    return this.memo(`resource|${key}`, () => this.markShared(carryOver(`${this.optionsKey}|${key}`, make())));
  }

  /** Marks `resource` as shared (made by the index for many proxies); returns it. */
  public markShared(resource: PlainMessage): PlainMessage {
    this.shared.add(resource);
    return resource;
  }

  /** Whether `resource` is shared by several proxies (see `sharedResource`). */
  public isShared(resource: PlainMessage): boolean {
    return this.shared.has(resource);
  }

  /** One list object per sequence of the same objects (within this index). */
  public intern(kind: string, list: readonly PlainMessage[]): readonly PlainMessage[] {
    const ids = list.map((o) => {
      let id = this.objectIds.get(o);
      if (id === undefined) this.objectIds.set(o, (id = this.nextObjectId++));
      return id;
    });
    const key = `${kind}|${ids.join(',')}`;
    let known = this.interned.get(key);
    if (!known) this.interned.set(key, (known = list));
    return known;
  }

  /** Gateways whose selector picks `proxy` (in any namespace, as Istio does by default). */
  public gatewaysFor(proxy: ProxyIdentity): ConfigObject<GatewaySpec>[] {
    return this.gateways.filter((g) => labelsMatch(g.spec.selector ?? {}, proxy.labels) && Object.keys(g.spec.selector ?? {}).length > 0);
  }
}

/** Whether an object of `namespace` with `exportTo` is visible from `from` (`*` default, `.` own namespace). */
export function exportedTo(exportTo: readonly string[] | undefined, namespace: string, from: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some((e) => e === '*' || (e === '.' ? namespace === from : e === from));
}

interface IndexedRule {
  readonly rule: ConfigObject<DestinationRuleSpec>;
  /** The rule's host, qualified in its namespace. */
  readonly host: string;
  /** Position among the snapshot's DestinationRules (ties keep config order). */
  readonly position: number;
}

interface VirtualServiceLookup {
  readonly exact: ReadonlyMap<string, ConfigObject<VirtualServiceSpec>>;
  readonly wildcard: readonly ConfigObject<VirtualServiceSpec>[];
}

/** Two lists in position order, merged in position order. */
function mergeByPosition(a: readonly IndexedRule[], b: readonly IndexedRule[]): readonly IndexedRule[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort((x, y) => x.position - y.position);
}
