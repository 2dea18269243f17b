/**
 * TLS origination for a cluster with an UpstreamTlsContext: `default`/`ROOTCA`
 * come from this proxy's workload certificate (read at each connect, so a
 * rotation applies to new connections only); the server certificate must
 * chain to the root and carry a SAN the cluster's matchers accept (the
 * destination's SPIFFE IDs). Other SDS names (DestinationRule credentialName)
 * are not resolved by this proxy: such connections fail. ALPN offers only
 * what this HTTP/1.1 engine speaks.
 */
import * as net from 'net';
import * as tls from 'tls';
import type { TransportSocket } from '../../xds/resources';
import { matchString } from '../../xds/resources/string-matcher';
import type { TlsIdentitySource } from '../identity';
import { dnsSans, uriSans } from './peer-identity';

export const SDS_DEFAULT = 'default';
export const SDS_ROOTCA = 'ROOTCA';

type UpstreamTls = Extract<TransportSocket, { kind: 'upstreamTls' }>;

/** Opens TLS connections for one cluster; the socket emits 'secureConnect' when usable. */
export interface UpstreamTlsConnector {
  connect(host: string, port: number): net.Socket;
}

function sanError(context: UpstreamTls, cert: tls.PeerCertificate): Error | undefined {
  if (context.matchSubjectAltNames.length === 0) return undefined;
  const uris = uriSans(cert);
  const dns = dnsSans(cert);
  const ok = context.matchSubjectAltNames.some((m) => (m.type === 'URI' ? uris : m.type === 'DNS' ? dns : []).some((v) => matchString(m.matcher, v)));
  return ok ? undefined : new Error(`server certificate SANs [${[...uris, ...dns].join(', ')}] match none of the expected identities`);
}

/** A connector for `context`, or an error saying why it cannot be served. */
export function upstreamTlsConnector(context: UpstreamTls, source: TlsIdentitySource | undefined): UpstreamTlsConnector | Error {
  const unknown = [...context.certificateSecrets, ...(context.validationSecret !== undefined ? [context.validationSecret] : [])]
    .filter((n) => n !== SDS_DEFAULT && n !== SDS_ROOTCA);
  if (unknown.length > 0) return new Error(`SDS secret(s) ${unknown.join(', ')}: not available to this proxy`);
  const needsIdentity = context.certificateSecrets.length > 0 || context.validationSecret !== undefined;
  if (needsIdentity && source === undefined) return new Error('mTLS needs a workload certificate (start the proxy with a bootstrap token)');
  const alpn = context.alpnProtocols.filter((p) => p !== 'h2');
  return {
    connect(host: string, port: number): net.Socket {
      const material = needsIdentity ? source?.material() : undefined;
      const options: tls.ConnectionOptions = {
        host, port,
        ...(material !== undefined ? { secureContext: material.secureContext } : {}),
        ...(context.sni !== undefined && net.isIP(context.sni) === 0 ? { servername: context.sni } : {}),
        ...(alpn.length > 0 ? { ALPNProtocols: alpn } : {}),
        rejectUnauthorized: context.validationSecret !== undefined,
        checkServerIdentity: (_host, cert) => sanError(context, cert),
      };
      const socket = tls.connect(options);
      socket.setNoDelay(true);
      return socket;
    },
  };
}
