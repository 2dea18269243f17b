/**
 * TLS termination on an inbound listener, per its filter chains: STRICT (only
 * a `transport_protocol: tls` chain) takes only TLS with a client certificate
 * from the mesh root; PERMISSIVE (a `tls` and a `raw_buffer` chain) looks at
 * the first byte, as Envoy's tls_inspector does (0x16: a TLS handshake record),
 * and takes plaintext too. Each new connection uses the newest workload
 * certificate, so rotation never touches open connections. Plaintext
 * listeners never come here.
 */
import * as net from 'net';
import * as tls from 'tls';
import type { TlsIdentitySource } from '../identity';
import { forwardedClientCertLine, uriSans } from './peer-identity';

export type DownstreamTlsMode = 'STRICT' | 'PERMISSIVE';

const TLS_HANDSHAKE = 0x16;

/** A socket the HTTP engine reads the peer identity from: the XFCC line to add, '' for plaintext. */
export interface PeerSocket extends net.Socket {
  meshformClientCertLine?: string;
  meshformPeerPrincipal?: string;
}

export interface DownstreamTlsProps {
  readonly mode: DownstreamTlsMode;
  readonly source: TlsIdentitySource;
  /** Add `x-forwarded-client-cert` (HTTP chains). @default true */
  readonly forwardClientCert?: boolean;
  /** Handshake deadline, ms. @default 10000 */
  readonly handshakeTimeoutMs?: number;
}

/** Accepts one connection: `ready` gets the socket to serve (the TLS socket, or the plaintext one), or nothing if refused. */
export function acceptDownstream(socket: net.Socket, props: DownstreamTlsProps, ready: (serve: net.Socket, mutualTls: boolean) => void): void {
  if (props.mode === 'STRICT') {
    terminate(socket, props, ready);
    return;
  }
  socket.once('data', (chunk: Buffer) => {
    socket.pause();
    socket.unshift(chunk);
    if (chunk[0] === TLS_HANDSHAKE) terminate(socket, props, ready);
    else ready(socket, false);
  });
}

function terminate(socket: net.Socket, props: DownstreamTlsProps, ready: (serve: net.Socket, mutualTls: boolean) => void): void {
  const material = props.source.material();
  const secure = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: material.secureContext,
    requestCert: true,
    rejectUnauthorized: true,
  }) as tls.TLSSocket & PeerSocket;
  const timer = setTimeout(() => secure.destroy(), props.handshakeTimeoutMs ?? 10_000);
  secure.once('secure', () => {
    clearTimeout(timer);
    if (!secure.authorized) {
      secure.destroy();
      return;
    }
    secure.meshformPeerPrincipal = uriSans(secure.getPeerCertificate())[0];
    if (props.forwardClientCert ?? true) secure.meshformClientCertLine = forwardedClientCertLine(secure, props.source.spiffeId);
    ready(secure, true);
  });
  secure.on('error', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  secure.once('close', () => clearTimeout(timer));
}
