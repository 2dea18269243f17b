import * as net from 'net';
import {
  consumeSocket,
  createParser,
  isParseError,
  NativeParser,
  PARSE_RESPONSE,
  ParseError,
  ParserSink,
  releaseParser,
} from '../http/node-http-parser';
import { writeDirect } from '../http/socket-write';
import type { EndpointPool } from './endpoint-pool';
import type { UpstreamResetReason, UpstreamUser } from './upstream-user';

const MAX_RESPONSE_HEAD = 64 * 1024;

/**
 * One raw TCP connection to an endpoint, with Node's HTTP parser in response mode.
 * It serves one request at a time for its current {@link UpstreamUser}; the pool
 * owns it between requests.
 */
export class UpstreamConnection implements ParserSink {
  readonly socket: net.Socket;
  /** Requests started on this connection (more than 1 means it was reused). */
  requests = 0;
  /** When it went idle (performance.now()), for the pool's idle expiry. */
  idleSince = 0;
  connected = false;
  closed = false;
  private user: UpstreamUser | null = null;
  private readonly parser: NativeParser;
  private headers: string[] | null = null;
  /** Bytes of response seen for the current request (0 = nothing yet). */
  responseBytes = 0;

  constructor(readonly pool: EndpointPool, connectTimeoutMs: number) {
    this.parser = createParser(PARSE_RESPONSE, MAX_RESPONSE_HEAD, this);
    const tls = pool.tls;
    const socket = tls === undefined
      ? net.connect({ host: pool.endpoint.host, port: pool.endpoint.port, noDelay: true })
      : tls.connect(pool.endpoint.host, pool.endpoint.port);
    this.socket = socket;
    if (connectTimeoutMs > 0) socket.setTimeout(connectTimeoutMs);
    // A TLS connection is usable once the handshake (and the server's identity) checked out.
    socket.on(tls === undefined ? 'connect' : 'secureConnect', this.onConnect.bind(this));
    socket.on('timeout', this.onConnectTimeout.bind(this));
    socket.on('data', this.onData.bind(this));
    socket.on('end', this.onEnd.bind(this));
    socket.on('error', this.onError.bind(this));
    socket.on('close', this.onClose.bind(this));
    socket.on('drain', this.onDrain.bind(this));
  }

  /** Hands the connection to `user` for one request. */
  attach(user: UpstreamUser): void {
    this.user = user;
    this.requests++;
    this.responseBytes = 0;
  }

  detach(): void {
    this.user = null;
  }

  /** Ends the connection without waiting (the pool forgets it on `close`). */
  destroy(): void {
    this.user = null;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** As `socket.write`; Buffers and latin1 text go straight to the handle when nothing is queued (see writeDirect). */
  write(data: Buffer | string, encoding?: BufferEncoding): boolean {
    if (typeof data !== 'string' || encoding === 'latin1') return writeDirect(this.socket, data);
    return encoding === undefined ? this.socket.write(data) : this.socket.write(data, encoding);
  }

  private onConnect(): void {
    this.connected = true;
    this.socket.setTimeout(0);
    this.consumed = consumeSocket(this.parser, this.socket, this.onExecute.bind(this));
    this.pool.onConnected(this);
  }

  private onConnectTimeout(): void {
    if (this.connected) return;
    this.closed = true;
    this.socket.destroy();
    this.pool.onConnectFailed(this, 'connect-timeout');
  }

  /** Fallback when the handle cannot be consumed: bytes arrive as 'data' events. */
  private onData(chunk: Buffer): void {
    if (this.user === null) {
      this.outOfSync();
      return;
    }
    this.onExecute(this.parser.execute(chunk));
  }

  /** After the parser went through one read. */
  private onExecute(r: number | ParseError): void {
    if (this.unexpected) {
      this.unexpected = false;
      this.outOfSync();
      return;
    }
    if (isParseError(r)) {
      if (this.user !== null) this.fail('protocol-error');
      else this.outOfSync();
      return;
    }
    this.responseBytes += r;
  }

  /** Bytes with no request outstanding: the connection cannot be trusted. */
  private outOfSync(): void {
    this.closed = true;
    this.socket.destroy();
    this.pool.onClosed(this, false);
  }

  private onEnd(): void {
    if (this.user !== null) {
      // A close-delimited response ends here; any other message is cut short.
      const r = this.parser.finish();
      if (isParseError(r)) this.fail('termination');
    }
  }

  private onError(): void {
    // 'close' follows and reports.
  }

  private onClose(): void {
    releaseParser(this.parser, this.consumed);
    this.consumed = false;
    if (this.closed) return;
    this.closed = true;
    if (!this.connected) {
      this.pool.onConnectFailed(this, 'connect-failure');
      return;
    }
    const user = this.user;
    this.user = null;
    this.pool.onClosed(this, user !== null);
    if (user !== null) user.onUpstreamReset('termination');
  }

  private onDrain(): void {
    if (this.user !== null) this.user.onUpstreamDrain();
  }

  private fail(reason: UpstreamResetReason): void {
    const user = this.user;
    this.user = null;
    this.closed = true;
    this.socket.destroy();
    this.pool.onClosed(this, true);
    if (user !== null) user.onUpstreamReset(reason);
  }

  // ParserSink (response mode)

  onMessageBegin(): void {
    if (this.user === null) this.unexpected = true;
  }

  onHeaders(headers: string[]): void {
    this.headers = this.headers === null ? headers : this.headers.concat(headers);
  }

  onHeadersComplete(
    _major: number,
    _minor: number,
    headers: string[] | undefined,
    _method: number | undefined,
    _url: string | undefined,
    statusCode: number | undefined,
    statusMessage: string | undefined,
    _upgrade: boolean,
    keepAlive: boolean,
  ): number {
    let all = headers ?? [];
    if (this.headers !== null) {
      all = headers === undefined ? this.headers : this.headers.concat(headers);
      this.headers = null;
    }
    const status = statusCode ?? 0;
    this.interim = status >= 100 && status < 200 && status !== 101;
    this.lastKeepAlive = keepAlive;
    const user = this.user;
    if (user === null) return 0;
    return user.onResponseHead(status, statusMessage ?? '', all, keepAlive) ? 1 : 0;
  }

  onBody(chunk: Buffer): void {
    if (this.user !== null) this.user.onResponseBody(chunk);
  }

  onMessageComplete(): void {
    if (this.interim) {
      // A 1xx interim response is a message of its own; the final one follows.
      this.interim = false;
      return;
    }
    const user = this.user;
    if (user !== null) user.onResponseEnd(this.lastKeepAlive);
  }

  private interim = false;
  private consumed = false;
  /** A response began while no request was outstanding. */
  private unexpected = false;
  private lastKeepAlive = false;
}
