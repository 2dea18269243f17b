/**
 * TLS on gateway servers:
 * - `tls.mode: SIMPLE` / `MUTUAL` with `credentialName`: the certificate comes
 *   from the Kubernetes Secret of that name in the gateway's namespace (type
 *   kubernetes.io/tls: `tls.crt`, `tls.key`, and `ca.crt` for MUTUAL, or
 *   Istio's `<name>-cacert` Secret). Each server becomes a filter chain
 *   matching its hosts as `server_names`, with a DownstreamTlsContext that
 *   carries the PEMs inline (`tls_certificates`, `validation_context`) — the
 *   proxy has no SDS client for credentials — and the port's HTTP connection
 *   manager. A server whose Secret is missing or incomplete is left out, as
 *   istiod does.
 * - `tls.mode: PASSTHROUGH`: the port's listener routes the raw TLS stream by
 *   SNI (`tls_inspector`, `filter_chain_match.server_names` from the
 *   VirtualService `tls[].match[].sniHosts`) to a tcp_proxy to the route's
 *   destination.
 */
import type { GatewaySpec, Server, VirtualServiceSpec } from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { hostMatches } from '../../config/host-match';
import { FILTER, PlainMessage, TYPE, socketAddress, typed } from './envoy';
import { RouteContext, destinationCluster } from './http-routes';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { tlsInspector } from './tls';

const DOWNSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

export type ServerTlsRole = 'plaintext' | 'terminate' | 'passthrough' | 'unsupported';

/** What a gateway server does with TLS. */
export function serverTlsRole(server: Server): ServerTlsRole {
  const protocol = server.port.protocol.toUpperCase();
  const mode = server.tls?.mode ?? (protocol === 'HTTPS' || protocol === 'TLS' ? 'SIMPLE' : undefined);
  if (mode === undefined || server.tls === undefined) return protocol === 'HTTPS' || protocol === 'TLS' ? 'unsupported' : 'plaintext';
  if (mode === 'PASSTHROUGH' && (protocol === 'TLS' || protocol === 'HTTPS')) return 'passthrough';
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && protocol === 'HTTPS' && server.tls.credentialName !== undefined) return 'terminate';
  return 'unsupported';
}

/** Certificate, key and (MUTUAL) client CA of a credentialName, PEM. */
export interface GatewayCredential {
  readonly certificateChainPem: string;
  readonly privateKeyPem: string;
  readonly caCertificatePem?: string;
}

function secretData(secret: ConfigObject, key: string): string | undefined {
  const manifest = secret.manifest as { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  const string = manifest.stringData?.[key];
  if (typeof string === 'string' && string !== '') return string;
  const data = manifest.data?.[key];
  return typeof data === 'string' && data !== '' ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/** Reads `credentialName` from `namespace`'s Secrets; a string says why it cannot be used. */
export function gatewayCredential(index: MeshIndex, namespace: string, credentialName: string, mutual: boolean): GatewayCredential | string {
  const secrets = index.snapshot.list('Secret', namespace);
  const secret = secrets.find((s) => s.name === credentialName);
  if (secret === undefined) return `Secret ${namespace}/${credentialName} not found`;
  const cert = secretData(secret, 'tls.crt') ?? secretData(secret, 'cert');
  const key = secretData(secret, 'tls.key') ?? secretData(secret, 'key');
  if (cert === undefined || key === undefined) return `Secret ${namespace}/${credentialName}: expected tls.crt and tls.key`;
  if (!mutual) return { certificateChainPem: cert, privateKeyPem: key };
  const caSecret = secrets.find((s) => s.name === `${credentialName}-cacert`);
  const ca = secretData(secret, 'ca.crt') ?? secretData(secret, 'cacert') ?? (caSecret ? secretData(caSecret, 'ca.crt') ?? secretData(caSecret, 'cacert') : undefined);
  if (ca === undefined) return `Secret ${namespace}/${credentialName}: MUTUAL needs ca.crt (or a Secret ${credentialName}-cacert)`;
  return { certificateChainPem: cert, privateKeyPem: key, caCertificatePem: ca };
}

/** SNI names of a server's hosts (`ns/host` → host; `*` matches any name: none). */
export function serverNamesOf(hosts: readonly string[]): string[] {
  const names = hosts.map((h) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h).toLowerCase());
  return names.includes('*') ? [] : [...new Set(names)];
}

function inline(pem: string): PlainMessage {
  return { inline_bytes: Buffer.from(pem, 'utf8').toString('base64') };
}

/** The DownstreamTlsContext transport socket of a terminating server. */
export function gatewayTlsSocket(credential: GatewayCredential, mutual: boolean): PlainMessage {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': DOWNSTREAM_TLS_CONTEXT,
      common_tls_context: {
        alpn_protocols: ['h2', 'http/1.1'],
        tls_certificates: [{ certificate_chain: inline(credential.certificateChainPem), private_key: inline(credential.privateKeyPem) }],
        ...(mutual && credential.caCertificatePem !== undefined ? { validation_context: { trusted_ca: inline(credential.caCertificatePem) } } : {}),
      },
      require_client_certificate: mutual,
    },
  };
}

/**
 * The filter chains of a port's terminating servers (one per server, first
 * wins for the same names), each ending in `hcm`; with the listener filter
 * they need. `problems` collects the servers left out.
 */
export function terminatingChains(
  index: MeshIndex,
  servers: readonly { readonly gateway: ConfigObject<GatewaySpec>; readonly server: Server }[],
  hcm: PlainMessage,
  problems: string[] = [],
): { chains: PlainMessage[]; listenerFilters: PlainMessage[] } {
  const chains: PlainMessage[] = [];
  const seen = new Set<string>();
  for (const { gateway, server } of servers) {
    if (serverTlsRole(server) !== 'terminate') continue;
    const mutual = server.tls?.mode === 'MUTUAL';
    const credential = gatewayCredential(index, gateway.namespace, server.tls?.credentialName as string, mutual);
    if (typeof credential === 'string') {
      problems.push(`gateway ${gateway.namespace}/${gateway.name} server ${server.name ?? server.port.name}: ${credential}`);
      continue;
    }
    const names = serverNamesOf(server.hosts);
    const key = JSON.stringify(names);
    if (seen.has(key)) continue;
    seen.add(key);
    chains.push({
      ...(names.length > 0 ? { filter_chain_match: { server_names: names } } : {}),
      transport_socket: gatewayTlsSocket(credential, mutual),
      filters: [hcm],
    });
  }
  return { chains, listenerFilters: chains.length > 0 ? [tlsInspector()] : [] };
}

function gatewayNames(gateway: ConfigObject<GatewaySpec>, vsNamespace: string): string[] {
  const full = `${gateway.namespace}/${gateway.name}`;
  return gateway.namespace === vsNamespace ? [full, gateway.name] : [full];
}

function admits(pattern: string, vsNamespace: string, host: string): boolean {
  const slash = pattern.indexOf('/');
  const ns = slash < 0 ? '*' : pattern.slice(0, slash);
  const h = slash < 0 ? pattern : pattern.slice(slash + 1);
  if (ns !== '*' && ns !== '.' && ns !== vsNamespace) return false;
  return hostMatches(h, host) || hostMatches(host, h);
}

/** The tcp_proxy of a `tls` route's destinations: one cluster, or weighted clusters. */
function tcpProxyTo(ctx: RouteContext, vsNamespace: string, route: NonNullable<NonNullable<VirtualServiceSpec['tls']>[number]['route']>): PlainMessage | undefined {
  const dests = route.filter((d, _i, all) => all.length === 1 || (d.weight ?? 0) > 0);
  if (dests.length === 0) return undefined;
  if (dests.length === 1) {
    const cluster = destinationCluster(ctx, vsNamespace, (dests[0] as (typeof dests)[number]).destination);
    return { name: FILTER.tcpProxy, typed_config: typed(TYPE.tcpProxy, { stat_prefix: cluster, cluster }) };
  }
  return {
    name: FILTER.tcpProxy,
    typed_config: typed(TYPE.tcpProxy, {
      stat_prefix: `outbound_passthrough_${ctx.port}`,
      weighted_clusters: { clusters: dests.map((d) => ({ name: destinationCluster(ctx, vsNamespace, d.destination), weight: d.weight ?? 0 })) },
    }),
  };
}

/** The listeners of PASSTHROUGH servers: per port, one chain per SNI host of the VirtualService `tls` routes bound to them. */
export function passthroughListeners(index: MeshIndex, proxy: ProxyIdentity): PlainMessage[] {
  const byPort = new Map<number, { gateway: ConfigObject<GatewaySpec>; server: Server }[]>();
  for (const gateway of index.gatewaysFor(proxy)) {
    for (const server of gateway.spec.servers) {
      if (serverTlsRole(server) !== 'passthrough') continue;
      byPort.set(server.port.number, [...(byPort.get(server.port.number) ?? []), { gateway, server }]);
    }
  }
  const listeners: PlainMessage[] = [];
  for (const [port, servers] of [...byPort.entries()].sort(([a], [b]) => a - b)) {
    const chains: PlainMessage[] = [];
    const seen = new Set<string>();
    for (const vs of index.virtualServices as readonly ConfigObject<VirtualServiceSpec>[]) {
      const names = servers.flatMap(({ gateway }) => gatewayNames(gateway, vs.namespace));
      const vsGateways = vs.spec.gateways ?? [];
      const ctx: RouteContext = { index, proxy, port, gateways: names };
      for (const route of vs.spec.tls ?? []) {
        for (const m of route.match ?? []) {
          if (m.port !== undefined && m.port !== port) continue;
          const bound = (m.gateways && m.gateways.length > 0 ? m.gateways : vsGateways).some((g) => names.includes(g));
          if (!bound) continue;
          const sni = m.sniHosts.map((h) => h.toLowerCase())
            .filter((h) => !seen.has(h) && servers.some(({ server }) => server.hosts.some((p) => admits(p, vs.namespace, h))));
          const filter = tcpProxyTo(ctx, vs.namespace, route.route ?? []);
          if (sni.length === 0 || filter === undefined) continue;
          for (const h of sni) seen.add(h);
          chains.push({ filter_chain_match: { server_names: sni }, filters: [filter] });
        }
      }
    }
    if (chains.length === 0) continue;
    const address = servers[0]?.server.bind ?? '0.0.0.0';
    listeners.push({
      name: `${address}_${port}`,
      address: socketAddress(address, port),
      traffic_direction: 'OUTBOUND',
      listener_filters: [tlsInspector()],
      filter_chains: chains,
    });
  }
  return listeners;
}
