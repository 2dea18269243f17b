/**
 * TLS termination on an inbound listener, per its filter chains: STRICT (only
 * a `transport_protocol: tls` chain) takes only TLS with a client certificate
 * chaining to the mesh root; PERMISSIVE (a `tls` and a `raw_buffer` chain)
 * looks at the first byte, as Envoy's tls_inspector does (0x16: a TLS
 * handshake record), and takes plaintext too. A node:tls server (never
 * listening itself) runs the handshakes and the client-certificate check;
 * when the workload certificate rotates, its context is replaced for new
 * connections only. Plaintext listeners never come here.
 */
import * as net from 'net';
import * as tls from 'tls';
import type { TlsIdentitySource, WorkloadMaterial } from '../identity';
import { forwardedClientCert, uriSans } from './peer-identity';

export type DownstreamTlsMode = 'STRICT' | 'PERMISSIVE';

const TLS_HANDSHAKE = 0x16;

/** A socket the HTTP engine reads the peer identity from (set on mTLS connections only). */
export interface PeerSocket extends net.Socket {
  /** The `x-forwarded-client-cert` element to add upstream. */
  meshformClientCert?: string;
  /** The peer's SPIFFE ID. */
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

/** Gets the socket to serve; a plaintext one comes paused, with its first bytes unread. */
type Ready = (serve: net.Socket, mutualTls: boolean) => void;

/** Terminates TLS for one listener. */
export class DownstreamTls {
  readonly mode: DownstreamTlsMode;
  private readonly server: tls.Server;
  private material: WorkloadMaterial;
  private readonly pending = new WeakMap<net.Socket, Ready>();

  constructor(private readonly props: DownstreamTlsProps) {
    this.mode = props.mode;
    this.material = props.source.material();
    this.server = tls.createServer({
      key: this.material.privateKeyPem, cert: this.material.certChainPem, ca: this.material.rootCertPem,
      requestCert: true, rejectUnauthorized: true, handshakeTimeout: props.handshakeTimeoutMs ?? 10_000,
    });
    this.server.on('secureConnection', (secure: tls.TLSSocket) => this.secured(secure));
    this.server.on('tlsClientError', (_e, secure: tls.TLSSocket) => secure.destroy());
  }

  /** Accepts one connection: `ready` gets the socket to serve (TLS, or plaintext in PERMISSIVE); refused ones are closed. */
  accept(socket: net.Socket, ready: Ready): void {
    if (this.mode === 'STRICT') {
      this.terminate(socket, ready);
      return;
    }
    // A client that sends nothing is not kept waiting forever.
    const timer = setTimeout(() => socket.destroy(), this.props.handshakeTimeoutMs ?? 10_000);
    socket.once('close', () => clearTimeout(timer));
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      socket.pause();
      socket.unshift(chunk);
      // Plaintext: the socket is handed over paused, the peeked bytes still to be read.
      if (chunk[0] === TLS_HANDSHAKE) this.terminate(socket, ready);
      else ready(socket, false);
    });
  }

  private terminate(socket: net.Socket, ready: Ready): void {
    const current = this.props.source.material();
    if (current !== this.material) {
      this.material = current;
      this.server.setSecureContext({ key: current.privateKeyPem, cert: current.certChainPem, ca: current.rootCertPem });
    }
    this.pending.set(socket, ready);
    this.server.emit('connection', socket);
  }

  private secured(secure: tls.TLSSocket): void {
    // node:tls keeps the wrapped socket as `_parent`.
    const raw = (secure as unknown as { _parent?: net.Socket })._parent;
    const ready = raw !== undefined ? this.pending.get(raw) : undefined;
    if (ready === undefined) {
      secure.destroy();
      return;
    }
    const peer = secure as tls.TLSSocket & PeerSocket;
    peer.meshformPeerPrincipal = uriSans(secure.getPeerCertificate())[0];
    if (this.props.forwardClientCert ?? true) peer.meshformClientCert = forwardedClientCert(secure, this.props.source.spiffeId);
    secure.on('error', () => secure.destroy());
    ready(secure, true);
  }
}
