/**
 * Which connected proxies a (merged) config change can affect, so only those
 * are translated again. The rule is deliberately coarse and errs towards
 * recomputing; an object, in its old or new version, affects a proxy when:
 *
 * - Sidecar: it is the proxy's (its namespace, no selector or a selector picking
 *   the proxy) or the root namespace's default;
 * - Gateway: the proxy is a gateway (router);
 * - DestinationRule: it is exported to the proxy's namespace and its
 *   workloadSelector, if any, picks the proxy;
 * - VirtualService: it is exported to the proxy's namespace, from a namespace
 *   the proxy sees;
 * - Service, ServiceEntry: exported to the proxy's namespace from a namespace it
 *   sees, or its host is named by some VirtualService (a route's port can come
 *   from the service's only port);
 * - EndpointSlice, Endpoints, Pod, WorkloadEntry and workload controllers: in a
 *   namespace the proxy sees, or naming the proxy's own address;
 * - any other kind: always.
 *
 * The namespaces a sidecar sees are those its Sidecar's egress hosts name, plus
 * its own and the root namespace; without a Sidecar egress (and for gateways),
 * every namespace.
 */
import type { ConfigObject } from '../config/config-object';
import { labelsMatch, qualifyHost } from '../config/host-match';
import { MeshIndex, TranslateOptions } from '../xds/translate';
import type { ProxyIdentity } from '../xds/translate';
import { sidecarFor } from '../xds/translate/sidecar-scope';
import { exportedTo } from '../xds/translate/mesh-index';
import type { MergedChange } from './debouncer';

/** Kinds whose changes move endpoints only (EDS). */
export const ENDPOINT_KINDS: ReadonlySet<string> = new Set(['EndpointSlice', 'Endpoints', 'WorkloadEntry', 'Pod']);

const WORKLOAD_KINDS: ReadonlySet<string> = new Set([...ENDPOINT_KINDS, 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Whether every changed kind is an endpoint kind: only EDS can change. */
export function isEndpointsOnly(change: Pick<MergedChange, 'kinds'>): boolean {
  return change.kinds.size > 0 && [...change.kinds].every((k) => ENDPOINT_KINDS.has(k));
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function specOf(o: ConfigObject): Rec {
  return isRec(o.spec) ? o.spec : {};
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function selectorLabels(v: unknown, field: 'labels' | 'matchLabels'): Record<string, string> | undefined {
  if (!isRec(v) || !isRec(v[field])) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v[field] as Rec)) if (typeof x === 'string') out[k] = x;
  return out;
}

export class ChangeImpact {
  private readonly objects: ConfigObject[] = [];
  private readonly vsHosts = new Set<string>();
  private readonly rootNamespace: string;
  private readonly domainSuffix: string;

  public constructor(private readonly change: MergedChange, private readonly options: TranslateOptions = {}) {
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.domainSuffix = options.domainSuffix ?? 'cluster.local';
    for (const key of change.keys) {
      const before = change.previous.byKeyOf(key);
      const after = change.snapshot.byKeyOf(key);
      if (before) this.objects.push(before);
      if (after) this.objects.push(after);
    }
    if (this.objects.some((o) => o.kind === 'Service' || o.kind === 'ServiceEntry')) {
      for (const snap of [change.previous, change.snapshot]) {
        for (const vs of snap.list('VirtualService')) for (const h of this.namedHosts(vs)) this.vsHosts.add(h);
      }
    }
  }

  /** Whether the change can alter `proxy`'s resources. */
  public affects(proxy: ProxyIdentity): boolean {
    const visible = this.visibleNamespaces(proxy);
    const sees = (ns: string): boolean => visible === 'all' || visible.has(ns);
    return this.objects.some((o) => this.objectAffects(o, proxy, sees));
  }

  private objectAffects(o: ConfigObject, proxy: ProxyIdentity, sees: (ns: string) => boolean): boolean {
    const spec = specOf(o);
    switch (o.kind) {
      case 'Sidecar': {
        const selector = selectorLabels(spec.workloadSelector, 'labels');
        if (o.namespace === proxy.namespace) return !selector || labelsMatch(selector, proxy.labels);
        return o.namespace === this.rootNamespace && !selector;
      }
      case 'Gateway':
        return proxy.type === 'router';
      case 'DestinationRule': {
        if (!exportedTo(stringList(spec.exportTo), o.namespace, proxy.namespace)) return false;
        const selector = selectorLabels(spec.workloadSelector, 'matchLabels');
        return !selector || (o.namespace === proxy.namespace && labelsMatch(selector, proxy.labels));
      }
      case 'VirtualService':
        return exportedTo(stringList(spec.exportTo), o.namespace, proxy.namespace) && sees(o.namespace);
      case 'Service':
      case 'ServiceEntry': {
        const exportTo = o.kind === 'Service'
          ? (o.annotations['networking.istio.io/exportTo'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
          : stringList(spec.exportTo);
        if (o.namespace === proxy.namespace) return true;
        if (exportedTo(exportTo, o.namespace, proxy.namespace) && sees(o.namespace)) return true;
        const hosts = o.kind === 'Service' ? [`${o.name}.${o.namespace}.svc.${this.domainSuffix}`] : stringList(spec.hosts);
        return hosts.some((h) => this.vsHosts.has(h));
      }
      default:
        if (WORKLOAD_KINDS.has(o.kind)) return sees(o.namespace) || JSON.stringify(o.manifest).includes(`"${proxy.ip}"`);
        return true;
    }
  }

  /** Hosts a VirtualService names (its hosts and every destination), qualified. */
  private namedHosts(vs: ConfigObject): string[] {
    const spec = specOf(vs);
    const out = stringList(spec.hosts);
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (isRec(v)) {
        if (isRec(v.destination) && typeof v.destination.host === 'string') out.push(v.destination.host);
        if (isRec(v.mirror) && typeof v.mirror.host === 'string') out.push(v.mirror.host);
        for (const x of Object.values(v)) if (typeof x === 'object') visit(x);
      }
    };
    visit([spec.http, spec.tcp, spec.tls]);
    return out.map((h) => qualifyHost(h, vs.namespace, this.domainSuffix));
  }

  private visibleNamespaces(proxy: ProxyIdentity): 'all' | ReadonlySet<string> {
    if (proxy.type === 'router') return 'all';
    const sidecar = sidecarFor(MeshIndex.of(this.change.snapshot, this.options), proxy);
    const egress = sidecar?.spec.egress ?? [];
    if (!sidecar || egress.length === 0) return 'all';
    const out = new Set<string>([proxy.namespace, this.rootNamespace]);
    for (const e of egress) {
      for (const pattern of e.hosts) {
        const slash = pattern.indexOf('/');
        const ns = slash < 0 ? '*' : pattern.slice(0, slash);
        if (ns === '*') return 'all';
        if (ns === '~') continue;
        out.add(ns === '.' ? sidecar.namespace : ns);
      }
    }
    return out;
  }
}
