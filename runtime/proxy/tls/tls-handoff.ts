/**
 * TLS termination on sockets a listener already accepted: each raw socket is
 * handed to an in-process `tls.Server`, and its decrypted socket comes back to
 * the callback given with it, marked with the peer's SPIFFE ID. Used by the
 * sidecar's inbound mTLS and by gateway listeners (one server per chain).
 */
import * as net from 'net';
import * as tls from 'tls';
import { uriSans } from './peer-identity';

/** A socket the HTTP engine reads the peer identity from (set on mTLS connections only). */
export interface PeerSocket extends net.Socket {
  /** The `x-forwarded-client-cert` element to add upstream. */
  meshformClientCert?: string;
  /** The peer's SPIFFE ID. */
  meshformPeerPrincipal?: string;
}

/** Gets the socket to serve, and whether it is the decrypted one. */
export type ServeSocket = (serve: net.Socket, secured: boolean) => void;

export class TlsHandoff {
  private readonly pending = new WeakMap<net.Socket, ServeSocket>();

  /** `mark` adds what else the secured socket carries (before it is served). @default nothing */
  public constructor(private readonly mark: (secure: tls.TLSSocket & PeerSocket) => void = () => undefined) {}

  /** Takes the handshakes of `server` (once per server). */
  public attach(server: tls.Server): void {
    server.on('secureConnection', (secure: tls.TLSSocket) => this.secured(secure));
    server.on('tlsClientError', (_e, secure: tls.TLSSocket) => secure.destroy());
  }

  /** Hands `socket` to `server`; `serve` gets the decrypted socket once the handshake is done. */
  public handTo(server: tls.Server, socket: net.Socket, serve: ServeSocket): void {
    this.pending.set(socket, serve);
    server.emit('connection', socket);
  }

  private secured(secure: tls.TLSSocket): void {
    // node:tls keeps the wrapped socket as `_parent`.
    const raw = (secure as unknown as { _parent?: net.Socket })._parent;
    const serve = raw !== undefined ? this.pending.get(raw) : undefined;
    if (serve === undefined) {
      secure.destroy();
      return;
    }
    const peer = secure as tls.TLSSocket & PeerSocket;
    peer.meshformPeerPrincipal = uriSans(secure.getPeerCertificate())[0];
    this.mark(peer);
    secure.on('error', () => secure.destroy());
    serve(secure, true);
  }
}
