/**
 * LDS for sidecars, shaped by the sidecar scope:
 * - each egress listener with a port: one listener on that port, bound to
 *   `bind:port` with `captureMode: NONE` (default bind 127.0.0.1) or on
 *   0.0.0.0 without binding when traffic is captured; an HTTP connection manager
 *   fetching the route configuration named by the port, or tcp_proxy for TCP;
 * - the catch-all egress listener, when traffic is captured: Istio's per-port
 *   outbound listeners (`0.0.0.0_9080`, not bound) behind the 15001
 *   `virtualOutbound` listener, whose default chain passes through (ALLOW_ANY) or
 *   drops (REGISTRY_ONLY);
 * - each ingress listener: with `captureMode: NONE` its own listener on
 *   `bind:port`, else a chain of the 15006 `virtualInbound` listener, forwarding to
 *   `inbound|PORT||` whose cluster targets the defaultEndpoint; without ingress
 *   listeners, the ports of the services the workload backs.
 * Route configurations and inbound clusters are returned alongside.
 */
import type { IstioIngressListener } from '../../../constructs/api';
import { labelsMatch } from '../../config/host-match';
import { RegistryService, endpointPort, isHttpProtocol, portProtocol } from '../../config/service-registry';
import {
  BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER, inboundClusterName,
} from './cluster-names';
import { inboundSecurityFilters } from './authz';
import { inboundCluster } from './clusters';
import { FILTER, PlainMessage, TYPE, socketAddress, typed } from './envoy';
import { httpConnectionManager, tcpProxy } from './filters';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sidecarRouteConfig } from './routes';
import { tcpProxyFor } from './tcp-routes';
import type { SidecarScope } from './sidecar-scope';
import { inboundChains, inboundMtlsMode, tlsInspector } from './tls';

export const VIRTUAL_OUTBOUND_PORT = 15001;
export const VIRTUAL_INBOUND_PORT = 15006;

export interface SidecarListeners {
  readonly listeners: PlainMessage[];
  readonly routes: PlainMessage[];
  readonly inboundClusters: PlainMessage[];
}

/** A port the workload accepts traffic on. */
interface InboundPort {
  readonly port: number;
  readonly protocol: string;
  readonly target: { address: string; port: number } | { pipe: string };
  readonly bind?: string;
  readonly captured: boolean;
}

function outboundListener(name: string, address: string, port: number, bindToPort: boolean, filter: PlainMessage): PlainMessage {
  return {
    name,
    address: socketAddress(address, port),
    ...(bindToPort ? {} : { bind_to_port: false }),
    traffic_direction: 'OUTBOUND',
    filter_chains: [{ filters: [filter] }],
  };
}

/** The services of an egress listener on one port: those speaking HTTP there, and the others. */
interface PortServices {
  readonly port: number;
  readonly httpServices: readonly RegistryService[];
  readonly otherServices: readonly RegistryService[];
}

const SERVICES_BY_PORT = new WeakMap<readonly RegistryService[], readonly PortServices[]>();

/**
 * `services` grouped by port, ports ascending; computed once per list (the
 * lists of a sidecar scope are shared by the proxies it applies to).
 */
function servicesByPort(services: readonly RegistryService[]): readonly PortServices[] {
  const known = SERVICES_BY_PORT.get(services);
  if (known) return known;
  const byPort = new Map<number, { http: RegistryService[]; other: RegistryService[] }>();
  for (const s of services) {
    for (const p of s.ports) {
      let group = byPort.get(p.port);
      if (!group) byPort.set(p.port, (group = { http: [], other: [] }));
      const http = s.ports.some((q) => q.port === p.port && isHttpProtocol(q.protocol));
      const list = http ? group.http : group.other;
      if (list[list.length - 1] !== s) list.push(s);
    }
  }
  const grouped = [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, group]) => ({ port, httpServices: group.http, otherServices: group.other }));
  SERVICES_BY_PORT.set(services, grouped);
  return grouped;
}

/** The listeners, route configurations and inbound clusters of a sidecar. */
export function sidecarListeners(index: MeshIndex, proxy: ProxyIdentity, scope: SidecarScope): SidecarListeners {
  const captured = proxy.interceptionMode !== 'NONE';
  const listeners: PlainMessage[] = [];
  const routes = new Map<string, PlainMessage>();
  const takenPorts = new Set<number>();
  const fallback = scope.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  let virtualOutbound = false;

  for (const egress of scope.egress) {
    const port = egress.port?.number;
    if (port !== undefined && port > 0) {
      const none = egress.captureMode === 'NONE' || !captured;
      const address = none ? egress.bind ?? '127.0.0.1' : egress.bind ?? '0.0.0.0';
      const withPort = egress.services.filter((s) => s.ports.some((p) => p.port === port));
      const declared = egress.port?.protocol !== undefined || egress.port?.name !== undefined
        ? portProtocol(egress.port?.name, egress.port?.protocol)
        : undefined;
      const http = declared !== undefined
        ? isHttpProtocol(declared)
        : withPort.length === 0 || withPort.some((s) => s.ports.some((p) => p.port === port && isHttpProtocol(p.protocol)));
      const name = `${address}_${port}`;
      if (http) {
        if (!routes.has(String(port))) {
          routes.set(String(port), sidecarRouteConfig(index, proxy, port, egress.services, egress.virtualServices, scope.outboundTrafficPolicy));
        }
        listeners.push(outboundListener(name, address, port, none, httpConnectionManager({ statPrefix: `outbound_${name}`, rds: String(port) })));
      } else {
        const target = withPort[0];
        const filter = target ? tcpProxyFor({ index, proxy, port, gateways: ['mesh'] }, target, egress.virtualServices) : tcpProxy(fallback);
        listeners.push(outboundListener(name, address, port, none, filter));
      }
      takenPorts.add(port);
      if (!none) virtualOutbound = true;
    }
  }
  for (const egress of scope.egress) {
    if ((egress.port?.number ?? 0) > 0 || egress.captureMode === 'NONE' || !captured) continue;
    virtualOutbound = true;
    for (const { port, httpServices, otherServices } of servicesByPort(egress.services)) {
      if (takenPorts.has(port)) continue;
      takenPorts.add(port);
      if (httpServices.length > 0) {
        routes.set(String(port), sidecarRouteConfig(index, proxy, port, egress.services, egress.virtualServices, scope.outboundTrafficPolicy));
        listeners.push(outboundListener(`0.0.0.0_${port}`, '0.0.0.0', port, false,
          httpConnectionManager({ statPrefix: `outbound_0.0.0.0_${port}`, rds: String(port) })));
      }
      const seenAddress = new Set<string>();
      for (const s of otherServices) {
        const address = s.addresses[0] ?? '0.0.0.0';
        if (seenAddress.has(address) || (address === '0.0.0.0' && httpServices.length > 0)) continue;
        seenAddress.add(address);
        const filter = tcpProxyFor({ index, proxy, port, gateways: ['mesh'] }, s, egress.virtualServices);
        listeners.push(outboundListener(`${address}_${port}`, address, port, false, filter));
      }
    }
  }
  if (virtualOutbound) {
    listeners.push({
      name: 'virtualOutbound',
      address: socketAddress('0.0.0.0', VIRTUAL_OUTBOUND_PORT),
      use_original_dst: true,
      traffic_direction: 'OUTBOUND',
      filter_chains: [],
      default_filter_chain: { filters: [tcpProxy(fallback)] },
    });
  }

  const inbound = inboundPorts(index, proxy, scope, captured);
  const inboundClusters = inbound.map((p) => inboundCluster(p.port, p.target));
  const securityFilters = inbound.length > 0 ? inboundSecurityFilters(index, proxy) : [];
  const chains: PlainMessage[] = [];
  let inspectTls = false;
  for (const p of inbound) {
    const cluster = inboundClusterName(p.port);
    const address = p.captured ? '0.0.0.0' : p.bind ?? '0.0.0.0';
    const filter = isHttpProtocol(p.protocol)
      ? httpConnectionManager({ statPrefix: `inbound_${address}_${p.port}`, routeConfig: inboundRouteConfig(p.port), securityFilters })
      : tcpProxy(cluster);
    // Without a CA there are no workload certificates: plaintext, as DISABLE.
    const mode = index.mtlsTrustDomain !== undefined ? inboundMtlsMode(index, proxy, p.port) : 'DISABLE';
    const base: PlainMessage = p.captured ? { filter_chain_match: { destination_port: p.port }, filters: [filter], name: cluster } : { filters: [filter] };
    const secured = inboundChains(base, mode, isHttpProtocol(p.protocol));
    if (p.captured) {
      chains.push(...secured.chains);
      inspectTls ||= secured.tlsInspector;
    } else {
      listeners.push({
        name: `${address}_${p.port}`,
        address: socketAddress(address, p.port),
        ...(secured.tlsInspector ? { listener_filters: [tlsInspector()] } : {}),
        traffic_direction: 'INBOUND',
        filter_chains: secured.chains,
      });
    }
  }
  if (captured && (chains.length > 0 || !scope.sidecar || scope.ingress.length === 0 || virtualOutbound)) {
    listeners.push({
      name: 'virtualInbound',
      address: socketAddress('0.0.0.0', VIRTUAL_INBOUND_PORT),
      listener_filters: [{ name: FILTER.originalDst, typed_config: typed(TYPE.originalDst) }, ...(inspectTls ? [tlsInspector()] : [])],
      traffic_direction: 'INBOUND',
      filter_chains: chains,
      default_filter_chain: { filters: [tcpProxy(INBOUND_PASSTHROUGH_CLUSTER)] },
    });
  }
  return { listeners, routes: [...routes.values()], inboundClusters };
}

/** The inline route configuration of an inbound HTTP port: everything to `inbound|PORT||`. */
export function inboundRouteConfig(port: number): PlainMessage {
  const cluster = inboundClusterName(port);
  return {
    name: cluster,
    virtual_hosts: [{
      name: `inbound|http|${port}`,
      domains: ['*'],
      routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster, timeout: '0s' } }],
    }],
    validate_clusters: false,
  };
}

/** Where `defaultEndpoint` points (`127.0.0.1:8080`, `0.0.0.0:8080` = the workload's IP, `unix:///path`). */
export function parseDefaultEndpoint(endpoint: string, proxy: ProxyIdentity): { address: string; port: number } | { pipe: string } {
  if (endpoint.startsWith('unix://')) return { pipe: endpoint.slice('unix://'.length) };
  const m = /^(\[[^\]]+\]|[^:]+):([0-9]+)$/.exec(endpoint);
  if (!m) throw new Error(`Sidecar ingress defaultEndpoint '${endpoint}': expected IP:PORT or unix:///path`);
  let host = (m[1] as string).replace(/^\[|\]$/g, '');
  if (host === '0.0.0.0' || host === '::') host = proxy.ip;
  return { address: host, port: Number(m[2]) };
}

function ingressPort(l: IstioIngressListener, proxy: ProxyIdentity, captured: boolean, services: RegistryService[]): InboundPort {
  const declared = l.port.protocol !== undefined || l.port.name !== undefined ? portProtocol(l.port.name, l.port.protocol) : undefined;
  const fromService = services.flatMap((s) => s.ports).find((p) => (p.targetPort ?? p.port) === l.port.number)?.protocol;
  return {
    port: l.port.number,
    protocol: declared ?? fromService ?? 'UNKNOWN',
    target: l.defaultEndpoint !== undefined ? parseDefaultEndpoint(l.defaultEndpoint, proxy) : { address: proxy.ip, port: l.port.targetPort ?? l.port.number },
    ...(l.bind !== undefined ? { bind: l.bind } : {}),
    captured: captured && l.captureMode !== 'NONE',
  };
}

/** The services the proxy's workload backs: an endpoint at its IP, or a selector picking its labels in its namespace. */
export function ownServices(index: MeshIndex, proxy: ProxyIdentity): RegistryService[] {
  return index.backingCandidates(proxy.ip, proxy.namespace, proxy.labels).filter((s) =>
    s.endpoints.some((e) => e.address === proxy.ip)
    || (s.namespace === proxy.namespace && s.selector !== undefined && Object.keys(s.selector).length > 0 && labelsMatch(s.selector, proxy.labels)));
}

function inboundPorts(index: MeshIndex, proxy: ProxyIdentity, scope: SidecarScope, captured: boolean): InboundPort[] {
  const own = ownServices(index, proxy);
  if (scope.ingress.length > 0) return scope.ingress.map((l) => ingressPort(l, proxy, captured, own));
  if (!captured) return [];
  const out = new Map<number, InboundPort>();
  for (const s of own) {
    for (const p of s.ports) {
      const mine = s.endpoints.find((e) => e.address === proxy.ip);
      const target = mine ? endpointPort(mine, p) : p.targetPort ?? p.port;
      if (!out.has(target)) out.set(target, { port: target, protocol: p.protocol, target: { address: proxy.ip, port: target }, captured: true });
    }
  }
  return [...out.values()].sort((a, b) => a.port - b.port);
}
