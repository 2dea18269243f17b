/**
 * What a sidecar sees, from the Sidecar resource that applies to it (one with a
 * workloadSelector picking it in its namespace, else its namespace's default,
 * else the root namespace's): its egress listeners each with the services and
 * VirtualServices their `hosts` (`ns/host`) make visible, its ingress listeners,
 * and the outbound traffic policy. Without a Sidecar, as Istio: every service
 * exported to the proxy's namespace is visible, one catch-all egress listener.
 */
import type {
  CaptureMode, IstioIngressListener, SidecarPort, SidecarSpec, VirtualServiceSpec,
} from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { hostMatches, labelsMatch } from '../../config/host-match';
import { RegistryService, ServiceRegistry } from '../../config/service-registry';
import { MeshIndex, exportedTo } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';

export interface EgressScope {
  /** The listener's port; absent for the catch-all listener. */
  readonly port?: SidecarPort;
  readonly bind?: string;
  readonly captureMode: CaptureMode;
  /** `ns/host` patterns. */
  readonly hosts: readonly string[];
  /** Services visible through this listener, first per host name. */
  readonly services: readonly RegistryService[];
  /** VirtualServices visible through this listener (for sidecars: bound to `mesh`). */
  readonly virtualServices: readonly ConfigObject<VirtualServiceSpec>[];
}

export interface SidecarScope {
  readonly sidecar?: ConfigObject<SidecarSpec>;
  readonly egress: readonly EgressScope[];
  readonly ingress: readonly IstioIngressListener[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Every service visible through any egress listener, first per host name. */
  readonly services: readonly RegistryService[];
}

/** The Sidecar resource that applies to `proxy`, if any. */
export function sidecarFor(index: MeshIndex, proxy: ProxyIdentity): ConfigObject<SidecarSpec> | undefined {
  const own = index.snapshot.istio('Sidecar', proxy.namespace);
  const selected = own.find((s) => s.spec.workloadSelector && labelsMatch(s.spec.workloadSelector.labels, proxy.labels));
  if (selected) return selected;
  const nsDefault = own.find((s) => !s.spec.workloadSelector);
  if (nsDefault) return nsDefault;
  return index.sidecars.find((s) => s.namespace === index.rootNamespace && !s.spec.workloadSelector);
}

/** Whether `pattern` (`ns/host`; ns may be `*`, `.` or `~`) written in a Sidecar of `sidecarNs` admits `host` of `namespace`. */
export function egressHostMatches(pattern: string, sidecarNs: string, namespace: string, host: string): boolean {
  const slash = pattern.indexOf('/');
  const ns = slash < 0 ? '*' : pattern.slice(0, slash);
  const hostPattern = slash < 0 ? pattern : pattern.slice(slash + 1);
  if (ns === '~') return false;
  if (ns !== '*' && (ns === '.' ? sidecarNs : ns) !== namespace) return false;
  return hostMatches(hostPattern, host) || (!hostPattern.includes('.') && host.startsWith(`${hostPattern}.${namespace}.svc.`));
}

function firstPerHost(services: RegistryService[]): RegistryService[] {
  const seen = new Set<string>();
  return services.filter((s) => (seen.has(s.hostname) ? false : (seen.add(s.hostname), true)));
}

/** VirtualServices bound to `gateway` (`mesh` for sidecars) and exported to `namespace`. */
export function virtualServicesFor(index: MeshIndex, namespace: string, gateway = 'mesh'): ConfigObject<VirtualServiceSpec>[] {
  return index.virtualServices.filter((vs) => {
    if (!exportedTo(vs.spec.exportTo, vs.namespace, namespace)) return false;
    const gateways = vs.spec.gateways && vs.spec.gateways.length > 0 ? vs.spec.gateways : ['mesh'];
    return gateways.includes(gateway) || (vs.spec.http ?? []).some((h) => (h.match ?? []).some((m) => m.gateways?.includes(gateway)));
  });
}

/**
 * The scope of `proxy`: one object (and the same lists) for every proxy of a
 * type and namespace to which the same Sidecar applies, each list named in the
 * index (`MeshIndex.listKey`) so what is computed from it can be shared.
 */
export function sidecarScope(index: MeshIndex, proxy: ProxyIdentity): SidecarScope {
  const sidecar = proxy.type === 'sidecar' ? sidecarFor(index, proxy) : undefined;
  const key = `scope|${proxy.type}|${proxy.namespace}|${sidecar ? `${sidecar.namespace}/${sidecar.name}` : ''}`;
  return index.memo(key, () => {
    const scope = computeScope(index, proxy, sidecar);
    scope.egress.forEach((e, i) => {
      index.nameList(e.services, `${key}|egress${i}|services`);
      index.nameList(e.virtualServices, `${key}|egress${i}|virtualServices`);
    });
    index.nameList(scope.services, `${key}|services`);
    return scope;
  });
}

function computeScope(index: MeshIndex, proxy: ProxyIdentity, sidecar: ConfigObject<SidecarSpec> | undefined): SidecarScope {
  const visible = index.registry.all().filter((s) => ServiceRegistry.visibleFrom(s, proxy.namespace));
  const meshVs = virtualServicesFor(index, proxy.namespace);
  if (!sidecar || !sidecar.spec.egress || sidecar.spec.egress.length === 0) {
    const services = firstPerHost(visible);
    return {
      ...(sidecar ? { sidecar } : {}),
      egress: [{ captureMode: 'DEFAULT', hosts: ['*/*'], services, virtualServices: meshVs }],
      ingress: sidecar?.spec.ingress ?? [],
      outboundTrafficPolicy: sidecar?.spec.outboundTrafficPolicy?.mode ?? index.defaultOutboundPolicy,
      services,
    };
  }
  const egress: EgressScope[] = sidecar.spec.egress.map((e) => {
    const admits = (ns: string, host: string): boolean => e.hosts.some((h) => egressHostMatches(h, sidecar.namespace, ns, host));
    const services = firstPerHost(visible.filter((s) => admits(s.namespace, s.hostname)))
      .filter((s) => !e.port || e.port.number === 0 || s.ports.some((p) => p.port === e.port?.number));
    const virtualServices = meshVs.filter((vs) => (vs.spec.hosts ?? []).some((h) => admits(vs.namespace, index.qualify(h, vs.namespace))));
    return {
      ...(e.port ? { port: e.port } : {}),
      ...(e.bind !== undefined ? { bind: e.bind } : {}),
      captureMode: e.captureMode ?? 'DEFAULT',
      hosts: e.hosts,
      services,
      virtualServices,
    };
  });
  return {
    sidecar,
    egress,
    ingress: sidecar.spec.ingress ?? [],
    outboundTrafficPolicy: sidecar.spec.outboundTrafficPolicy?.mode ?? index.defaultOutboundPolicy,
    services: firstPerHost(egress.flatMap((e) => [...e.services])),
  };
}
