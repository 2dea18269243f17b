/**
 * Gateway listeners whose filter chains differ by SNI (`server_names`):
 * TLS termination with each chain's own certificate (a Gateway server's
 * credentialName: SIMPLE, or MUTUAL with a client CA), or TLS passthrough
 * (each chain a tcp_proxy to the destination the SNI names, the TLS stream
 * forwarded untouched). Mesh mTLS chains (SDS `default`/`ROOTCA`) are not
 * SNI listeners: {@link DownstreamTls} serves them.
 */
import type * as net from 'net';
import type { FilterChain, Listener, TcpProxy } from '../../xds/resources';
import { CredentialChain, peekServerName, selectByServerName } from '../tls';
import { TcpProxyHandler } from './tcp-proxy-handler';
import type { UpstreamCluster } from './upstream-cluster';

export type SniListenerPlan =
  | { readonly kind: 'terminate'; readonly chains: readonly CredentialChain[]; readonly fingerprint: string }
  | { readonly kind: 'passthrough'; readonly chains: readonly { readonly serverNames: readonly string[]; readonly tcp: TcpProxy }[]; readonly fingerprint: string };

function chainsOf(l: Listener): FilterChain[] {
  return l.defaultFilterChain !== undefined ? [...l.filterChains, l.defaultFilterChain] : [...l.filterChains];
}

/** The SNI plan of a listener, or undefined when it is not a gateway SNI listener. */
export function sniListenerPlan(l: Listener): SniListenerPlan | undefined {
  const chains = chainsOf(l);
  const credential = chains.filter((c) => c.transportSocket?.kind === 'downstreamTls' && c.transportSocket.inlineCertificates !== undefined);
  if (credential.length > 0) {
    const out: CredentialChain[] = [];
    for (const c of credential) {
      const ts = c.transportSocket;
      const cert = ts?.kind === 'downstreamTls' ? ts.inlineCertificates?.[0] : undefined;
      if (ts?.kind !== 'downstreamTls' || cert === undefined) continue;
      out.push({
        serverNames: c.match.serverNames,
        certificateChainPem: cert.certificateChainPem,
        privateKeyPem: cert.privateKeyPem,
        ...(ts.inlineTrustedCaPem !== undefined ? { clientCaPem: ts.inlineTrustedCaPem } : {}),
        requireClientCertificate: ts.requireClientCertificate,
      });
    }
    return { kind: 'terminate', chains: out, fingerprint: JSON.stringify(out) };
  }
  const tcpChains = chains.filter((c) => c.transportSocket === undefined && c.match.serverNames.length > 0 && c.filters.some((f) => f.kind === 'tcpProxy'));
  if (tcpChains.length === 0 || !l.listenerFilters.some((f) => f.kind === 'tlsInspector')) return undefined;
  const passthrough = tcpChains.flatMap((c) => {
    const f = c.filters.find((x) => x.kind === 'tcpProxy');
    return f?.kind === 'tcpProxy' ? [{ serverNames: c.match.serverNames, tcp: f.config }] : [];
  });
  return { kind: 'passthrough', chains: passthrough, fingerprint: JSON.stringify(passthrough.map((p) => [p.serverNames, p.tcp.cluster])) };
}

/** TLS passthrough: the ClientHello's SNI picks the chain; its tcp_proxy forwards the stream as received. */
export class SniPassthrough {
  private readonly handlers: { readonly serverNames: readonly string[]; readonly handler: TcpProxyHandler }[];

  constructor(chains: Extract<SniListenerPlan, { kind: 'passthrough' }>['chains'], clusters: ReadonlyMap<string, UpstreamCluster>, private readonly timeoutMs = 10_000) {
    this.handlers = chains.map((c) => ({ serverNames: c.serverNames, handler: new TcpProxyHandler(c.tcp, clusters) }));
  }

  handle(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    peekServerName(socket, this.timeoutMs, (peek) => {
      const picked = peek.kind === 'clientHello' ? selectByServerName(this.handlers, peek.serverName) : undefined;
      if (picked === undefined) socket.destroy();
      else picked.handler.handle(socket);
    });
  }
}
