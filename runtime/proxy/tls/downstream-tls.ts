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
import { forwardedClientCert } from './peer-identity';
import { ServeSocket, TlsHandoff } from './tls-handoff';

export type DownstreamTlsMode = 'STRICT' | 'PERMISSIVE';

const TLS_HANDSHAKE = 0x16;

export interface DownstreamTlsProps {
  readonly mode: DownstreamTlsMode;
  readonly source: TlsIdentitySource;
  /** Add `x-forwarded-client-cert` (HTTP chains). @default true */
  readonly forwardClientCert?: boolean;
  /** Handshake deadline, ms. @default 10000 */
  readonly handshakeTimeoutMs?: number;
}


/** Terminates TLS for one listener. */
export class DownstreamTls {
  readonly mode: DownstreamTlsMode;
  private readonly server: tls.Server;
  private material: WorkloadMaterial;
  private readonly handoff: TlsHandoff;

  constructor(private readonly props: DownstreamTlsProps) {
    this.mode = props.mode;
    this.material = props.source.material();
    this.server = tls.createServer({
      key: this.material.privateKeyPem, cert: this.material.certChainPem, ca: this.material.rootCertPem,
      requestCert: true, rejectUnauthorized: true, handshakeTimeout: props.handshakeTimeoutMs ?? 10_000,
    });
    this.handoff = new TlsHandoff((peer) => {
      if (props.forwardClientCert ?? true) peer.meshformClientCert = forwardedClientCert(peer, props.source.spiffeId);
    });
    this.handoff.attach(this.server);
  }

  /**
   * Accepts one connection: `ready` gets the socket to serve (mTLS, or in
   * PERMISSIVE plaintext, paused with its first bytes unread); refused ones are closed.
   */
  accept(socket: net.Socket, ready: ServeSocket): void {
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

  private terminate(socket: net.Socket, ready: ServeSocket): void {
    const current = this.props.source.material();
    if (current !== this.material) {
      this.material = current;
      this.server.setSecureContext({ key: current.privateKeyPem, cert: current.certChainPem, ca: current.rootCertPem });
    }
    this.handoff.handTo(this.server, socket, ready);
  }
}
