/**
 * SNI on a gateway listener, as Envoy's tls_inspector and filter chain match
 * do it: the ClientHello's server name is read without consuming it
 * ({@link peekServerName}), the filter chain is picked by `server_names`
 * (exact name, then the longest `*.` suffix, then a chain without names:
 * {@link selectByServerName}), and a chain with its own certificate (a
 * Gateway server's credentialName, `tls_certificates` inline) terminates TLS
 * with it, requiring a client certificate signed by its CA for MUTUAL
 * ({@link GatewayTlsTerminator}).
 */
import * as net from 'net';
import * as tls from 'tls';
import { ServeSocket, TlsHandoff } from './tls-handoff';

const TLS_HANDSHAKE = 0x16;
const CLIENT_HELLO = 1;
const SNI_EXTENSION = 0;
/** A TLS record carries at most 2^14 bytes (plus header). */
const MAX_RECORD = 16_384 + 5;

/** What the first bytes of a connection say: not TLS, not yet complete, or a ClientHello (with or without SNI). */
export type ClientHelloPeek = { readonly kind: 'notTls' } | { readonly kind: 'incomplete' } | { readonly kind: 'clientHello'; readonly serverName?: string };

/** Reads the server name of the ClientHello in the first TLS record of `data`. */
export function parseClientHello(data: Buffer): ClientHelloPeek {
  if (data.length === 0) return { kind: 'incomplete' };
  if (data[0] !== TLS_HANDSHAKE) return { kind: 'notTls' };
  if (data.length < 5) return { kind: 'incomplete' };
  const recordLength = data.readUInt16BE(3);
  if (data.length < 5 + recordLength) return { kind: 'incomplete' };
  const hello = data.subarray(5, 5 + recordLength);
  if (hello[0] !== CLIENT_HELLO || hello.length < 4) return { kind: 'notTls' };
  let at = 4 + 2 + 32; // handshake header, client_version, random
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > hello.length) return false;
    const n = lengthBytes === 1 ? (hello[at] as number) : hello.readUInt16BE(at);
    at += lengthBytes + n;
    return at <= hello.length;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return { kind: 'clientHello' }; // session id, cipher suites, compression
  if (at + 2 > hello.length) return { kind: 'clientHello' };
  const end = Math.min(hello.length, at + 2 + hello.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    const body = hello.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    if (type !== SNI_EXTENSION || body.length < 2) continue;
    let p = 2;
    while (p + 3 <= body.length) {
      const nameType = body[p] as number;
      const nameLength = body.readUInt16BE(p + 1);
      const name = body.subarray(p + 3, p + 3 + nameLength).toString('ascii');
      if (nameType === 0) return { kind: 'clientHello', serverName: name.toLowerCase() };
      p += 3 + nameLength;
    }
  }
  return { kind: 'clientHello' };
}

/**
 * Waits for the ClientHello on `socket` and calls `done` with the socket
 * paused and every byte read still unread (unshifted); a client that sends
 * nothing within `timeoutMs` is disconnected.
 */
export function peekServerName(socket: net.Socket, timeoutMs: number, done: (peek: Exclude<ClientHelloPeek, { kind: 'incomplete' }>) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const onClose = (): void => clearTimeout(timer);
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const peek = parseClientHello(buffered);
    if (peek.kind === 'incomplete' && buffered.length < MAX_RECORD) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(buffered);
    done(peek.kind === 'incomplete' ? { kind: 'notTls' } : peek);
  };
  socket.on('data', onData);
  socket.once('close', onClose);
}

/** Envoy's choice among chains by `server_names`: exact, then longest wildcard suffix, then a chain without names. */
export function selectByServerName<T extends { readonly serverNames: readonly string[] }>(chains: readonly T[], serverName: string | undefined): T | undefined {
  if (serverName !== undefined) {
    const exact = chains.find((c) => c.serverNames.includes(serverName));
    if (exact !== undefined) return exact;
    let best: T | undefined;
    let bestLength = -1;
    for (const c of chains) {
      for (const n of c.serverNames) {
        if (n.startsWith('*.') && serverName.endsWith(n.slice(1)) && serverName.length > n.length - 1 && n.length > bestLength) {
          best = c;
          bestLength = n.length;
        }
      }
    }
    if (best !== undefined) return best;
  }
  return chains.find((c) => c.serverNames.length === 0);
}

/** One TLS-terminating filter chain of a gateway listener. */
export interface CredentialChain {
  readonly serverNames: readonly string[];
  readonly certificateChainPem: string;
  readonly privateKeyPem: string;
  /** MUTUAL: client certificates must chain to this CA. */
  readonly clientCaPem?: string;
  readonly requireClientCertificate: boolean;
}

/** Terminates TLS on a gateway listener with the certificate of the chain the SNI selects. */
export class GatewayTlsTerminator {
  private readonly servers: { readonly chain: CredentialChain; readonly server: tls.Server }[];
  private readonly handoff = new TlsHandoff();

  constructor(chains: readonly CredentialChain[], private readonly handshakeTimeoutMs = 10_000) {
    this.servers = chains.map((chain) => {
      const mutual = chain.requireClientCertificate;
      const server = tls.createServer({
        key: chain.privateKeyPem, cert: chain.certificateChainPem,
        ...(chain.clientCaPem !== undefined ? { ca: chain.clientCaPem } : {}),
        requestCert: mutual, rejectUnauthorized: mutual,
        ALPNProtocols: ['http/1.1'],
        handshakeTimeout: handshakeTimeoutMs,
      });
      this.handoff.attach(server);
      return { chain, server };
    });
  }

  /** Accepts one connection; `ready` gets the decrypted socket; no matching chain closes it. */
  accept(socket: net.Socket, ready: ServeSocket): void {
    peekServerName(socket, this.handshakeTimeoutMs, (peek) => {
      const picked = peek.kind === 'clientHello' ? selectByServerName(this.servers.map((s) => ({ ...s, serverNames: s.chain.serverNames })), peek.serverName) : undefined;
      if (picked === undefined) {
        socket.destroy();
        return;
      }
      this.handoff.handTo(picked.server, socket, ready);
    });
  }
}
