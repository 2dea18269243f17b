/**
 * LDS and RDS for routers (gateways): for every Gateway whose selector picks the
 * proxy, a listener per server port (`0.0.0.0_8080`, bound), HTTP servers with
 * an HTTP connection manager fetching `http.PORT`; that route configuration has
 * a virtual host per host of each VirtualService bound to the gateway and
 * admitted by the server's hosts, its routes built for the gateway.
 * HTTPS servers terminating TLS with a credentialName get one filter chain per
 * server (its SNI names and certificate, see gateway-tls.ts) in front of the
 * same connection manager; PASSTHROUGH servers get SNI-routed tcp_proxy
 * listeners.
 */
import type { GatewaySpec, Server, VirtualServiceSpec } from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { hostMatches } from '../../config/host-match';
import { PlainMessage, socketAddress } from './envoy';
import { httpConnectionManager } from './filters';
import { RouteContext, httpRoutes } from './http-routes';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { passthroughListeners, serverTlsRole, terminatingChains } from './gateway-tls';

const HTTP_SERVER_PROTOCOLS = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'];

interface BoundServer {
  readonly gateway: ConfigObject<GatewaySpec>;
  readonly server: Server;
}

/** Names a VirtualService may use for `gateway`: `ns/name`, and `name` from the same namespace. */
function gatewayNames(gateway: ConfigObject<GatewaySpec>, vsNamespace: string): string[] {
  const full = `${gateway.namespace}/${gateway.name}`;
  return gateway.namespace === vsNamespace ? [full, gateway.name] : [full];
}

/** Whether the server's host `pattern` (`ns/host` or `host`) admits the VirtualService host `host` of `vsNamespace`. */
function serverAdmits(pattern: string, vsNamespace: string, host: string): boolean {
  const slash = pattern.indexOf('/');
  const ns = slash < 0 ? '*' : pattern.slice(0, slash);
  const h = slash < 0 ? pattern : pattern.slice(slash + 1);
  if (ns !== '*' && ns !== '.' && ns !== vsNamespace) return false;
  return hostMatches(h, host) || hostMatches(host, h);
}

/** The HTTP servers of the gateways selecting `proxy`, by port. */
function serversByPort(index: MeshIndex, proxy: ProxyIdentity): Map<number, BoundServer[]> {
  const out = new Map<number, BoundServer[]>();
  for (const gateway of index.gatewaysFor(proxy)) {
    for (const server of gateway.spec.servers) {
      if (!HTTP_SERVER_PROTOCOLS.includes(server.port.protocol.toUpperCase()) && serverTlsRole(server) !== 'terminate') continue;
      out.set(server.port.number, [...(out.get(server.port.number) ?? []), { gateway, server }]);
    }
  }
  return new Map([...out.entries()].sort(([a], [b]) => a - b));
}

/** The gateway route configuration name of a port. */
export function gatewayRouteName(port: number): string {
  return `http.${port}`;
}

function routeConfig(index: MeshIndex, proxy: ProxyIdentity, port: number, servers: readonly BoundServer[]): PlainMessage {
  const hosts = new Map<string, { routes: PlainMessage[]; requireTls: boolean }>();
  for (const vs of index.virtualServices as readonly ConfigObject<VirtualServiceSpec>[]) {
    const bound = servers.filter(({ gateway }) => {
      const names = gatewayNames(gateway, vs.namespace);
      const vsGateways = vs.spec.gateways ?? [];
      return vsGateways.some((g) => names.includes(g)) || (vs.spec.http ?? []).some((h) => (h.match ?? []).some((m) => m.gateways?.some((g) => names.includes(g))));
    });
    if (bound.length === 0) continue;
    const names = bound.flatMap(({ gateway }) => gatewayNames(gateway, vs.namespace));
    const ctx: RouteContext = { index, proxy, port, gateways: names };
    for (const host of vs.spec.hosts ?? []) {
      const admitting = bound.filter(({ server }) => server.hosts.some((p) => serverAdmits(p, vs.namespace, host)));
      if (admitting.length === 0) continue;
      const routes = (vs.spec.http ?? []).flatMap((h) => httpRoutes(ctx, vs, h));
      const entry = hosts.get(host) ?? { routes: [], requireTls: false };
      entry.routes.push(...routes);
      entry.requireTls ||= admitting.some(({ server }) => server.tls?.httpsRedirect === true);
      hosts.set(host, entry);
    }
  }
  const virtualHosts: PlainMessage[] = [...hosts.entries()].map(([host, { routes, requireTls }]) => ({
    name: `${host}:${port}`,
    domains: host === '*' ? ['*'] : [host, `${host}:${port}`],
    routes,
    ...(requireTls ? { require_tls: 'ALL' } : {}),
  }));
  if (virtualHosts.length === 0) {
    virtualHosts.push({ name: `blackhole:${port}`, domains: ['*'], routes: [{ name: 'default', match: { prefix: '/' }, direct_response: { status: 404 } }] });
  }
  return { name: gatewayRouteName(port), virtual_hosts: virtualHosts, validate_clusters: false };
}

/** The listeners and route configurations of a router. */
export function gatewayResources(index: MeshIndex, proxy: ProxyIdentity): { listeners: PlainMessage[]; routes: PlainMessage[] } {
  const listeners: PlainMessage[] = [];
  const routes: PlainMessage[] = [];
  for (const [port, servers] of serversByPort(index, proxy)) {
    const address = servers[0]?.server.bind ?? '0.0.0.0';
    const name = `${address}_${port}`;
    const hcm = httpConnectionManager({ statPrefix: `outbound_${name}`, rds: gatewayRouteName(port), useRemoteAddress: true });
    if (servers.some(({ server }) => serverTlsRole(server) === 'terminate')) {
      // TLS servers of a port take it: one chain per server (servers whose credential is missing are left out).
      const tls = terminatingChains(index, servers, hcm);
      if (tls.chains.length === 0) continue;
      listeners.push({ name, address: socketAddress(address, port), traffic_direction: 'OUTBOUND', listener_filters: tls.listenerFilters, filter_chains: tls.chains });
    } else {
      listeners.push({ name, address: socketAddress(address, port), traffic_direction: 'OUTBOUND', filter_chains: [{ filters: [hcm] }] });
    }
    routes.push(routeConfig(index, proxy, port, servers));
  }
  // A port's terminating or plaintext servers take it before PASSTHROUGH ones (one listener per address and port).
  const taken = new Set(listeners.map((l) => l.name));
  listeners.push(...passthroughListeners(index, proxy).filter((l) => !taken.has(l.name as string)));
  return { listeners, routes };
}
