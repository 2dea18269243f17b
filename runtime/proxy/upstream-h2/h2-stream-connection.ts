/**
 * One request on a pooled HTTP/2 session, shaped like the engine's
 * `UpstreamConnection` (the exchange and the router filter write an HTTP/1
 * request head and framed body into it, pause and resume it, and read the
 * response through their `UpstreamUser` methods). The head opens the stream;
 * body framing is removed; the response's head, data, trailers, end and resets
 * come back as the user's events.
 */
import * as http2 from 'http2';
import type { UpstreamResetReason, UpstreamUser } from '../upstream/upstream-user';
import { reasonPhrase } from '../http/response-flags';
import { ChunkedDecoder } from './chunked-decoder';
import { h2RequestHead, RequestFraming } from './request-head-h2';
import type { H2EndpointPool, H2SessionEntry } from './h2-endpoint-pool';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/**
 * Why a stream closed before its response ended: a protocol error; the upstream
 * resetting this stream while the session lives on (a refused stream stays a
 * termination: it is retried on a fresh stream like a stale connection); or the
 * session going away under it.
 */
function closeReason(code: number, session: http2.Http2Session | undefined): UpstreamResetReason {
  if (code === NGHTTP2_PROTOCOL_ERROR) return 'protocol-error';
  const sessionAlive = session !== undefined && !session.destroyed && !session.closed;
  return sessionAlive && code !== NGHTTP2_NO_ERROR && code !== NGHTTP2_REFUSED_STREAM ? 'remote-reset' : 'termination';
}

/** The socket calls the engine makes on its upstream. */
class StreamSocket {
  constructor(private readonly conn: H2StreamConnection) {}
  cork(): void {}
  uncork(): void {}
  pause(): void {
    this.conn.setPaused(true);
  }
  resume(): void {
    this.conn.setPaused(false);
  }
}

/** A receiver of response trailers, next to the {@link UpstreamUser} methods. */
export interface TrailerReceiver {
  onResponseTrailers?(trailers: string[]): void;
}

export class H2StreamConnection {
  readonly socket: StreamSocket;
  /**
   * 1 for the first stream of a session (the router filter counts a new
   * connection then), else more: a stream refused or cut by a connection that
   * served others before is retried once on a fresh one, like a stale keep-alive.
   */
  requests: number;
  /** Response body bytes so far. */
  responseBytes = 0;
  closed = false;
  /** The stream slot was given back to the session. */
  released = false;
  private user: (UpstreamUser & TrailerReceiver) | null;
  private stream: http2.ClientHttp2Stream | null = null;
  private framing: RequestFraming = 'none';
  private remaining = 0;
  private decoder: ChunkedDecoder | null = null;
  private requestEnded = false;
  private responseEnded = false;
  private paused = false;
  /** The head could not open a stream (the failure is reported on the next turn). */
  private broken = false;

  constructor(readonly pool: H2EndpointPool, readonly entry: H2SessionEntry, user: UpstreamUser) {
    this.socket = new StreamSocket(this);
    this.user = user;
    this.requests = entry.streamsOpened === 1 ? 1 : entry.streamsOpened;
  }

  write(data: Buffer | string, encoding?: BufferEncoding): boolean {
    if (this.closed || this.broken) return true;
    if (this.stream === null) {
      const text = typeof data === 'string' ? data : data.toString('latin1');
      this.open(text);
      return true;
    }
    const chunk = typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data;
    return this.writeBody(chunk);
  }

  private open(head: string): void {
    let parsed;
    try {
      parsed = h2RequestHead(head, this.pool.tls !== undefined ? 'https' : 'http');
    } catch {
      this.broken = true;
      process.nextTick(() => this.fail('protocol-error'));
      return;
    }
    this.framing = parsed.framing;
    this.remaining = parsed.contentLength;
    if (parsed.framing === 'chunked') this.decoder = new ChunkedDecoder();
    const endStream = parsed.framing === 'none';
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.entry.session.request(parsed.headers, { endStream });
    } catch {
      // The session went away (GOAWAY, closed) between the choice and the head: tell the user on the next turn.
      this.requests = Math.max(this.requests, 2);
      this.broken = true;
      process.nextTick(() => this.fail('termination'));
      return;
    }
    this.stream = stream;
    if (endStream) this.requestEnded = true;
    if (this.paused) stream.pause();
    stream.on('response', (headers, flags) => this.onResponse(headers, flags));
    stream.on('headers', (headers) => this.onInterim(headers));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('trailers', (trailers) => this.onTrailers(trailers));
    stream.on('end', () => this.onEnd());
    stream.on('drain', () => this.user?.onUpstreamDrain());
    stream.on('error', noop);
    stream.on('close', () => this.onStreamClose());
  }

  private writeBody(framed: Buffer): boolean {
    const stream = this.stream as http2.ClientHttp2Stream;
    if (this.requestEnded) return true;
    let ok = true;
    if (this.decoder !== null) {
      const valid = this.decoder.push(framed, (data) => {
        ok = stream.write(data);
      });
      if (!valid) {
        this.fail('protocol-error');
        return true;
      }
      if (this.decoder.done) this.endRequest();
      return ok;
    }
    if (this.framing === 'length') {
      const take = framed.length <= this.remaining ? framed : framed.subarray(0, this.remaining);
      this.remaining -= take.length;
      ok = stream.write(take);
      if (this.remaining === 0) this.endRequest();
    }
    return ok;
  }

  private endRequest(): void {
    this.requestEnded = true;
    this.stream?.end();
  }

  setPaused(pause: boolean): void {
    this.paused = pause;
    const s = this.stream;
    if (s === null) return;
    if (pause) s.pause();
    else s.resume();
  }

  private onInterim(headers: http2.IncomingHttpHeaders): void {
    const status = Number(headers[':status']);
    if (status >= 100 && status < 200 && this.user !== null) this.user.onResponseHead(status, reasonPhrase(status), flatHeaders(headers), true);
  }

  private onResponse(headers: http2.IncomingHttpHeaders, flags: number): void {
    const user = this.user;
    if (user === null) return;
    const status = Number(headers[':status']);
    const noBody = user.onResponseHead(status, reasonPhrase(status), flatHeaders(headers), true);
    if (noBody && (flags & NGHTTP2_FLAG_END_STREAM) === 0) {
      // A reply to HEAD: nothing more is read.
      this.responseEnded = true;
      this.user = null;
      user.onResponseEnd(true);
    }
  }

  private onData(chunk: Buffer): void {
    this.responseBytes += chunk.length;
    this.user?.onResponseBody(chunk);
  }

  private onTrailers(trailers: http2.IncomingHttpHeaders): void {
    this.user?.onResponseTrailers?.(flatHeaders(trailers));
  }

  private onEnd(): void {
    if (this.responseEnded) return;
    this.responseEnded = true;
    const user = this.user;
    if (user !== null) user.onResponseEnd(true);
  }

  private onStreamClose(): void {
    const stream = this.stream as http2.ClientHttp2Stream;
    if (!this.responseEnded) {
      const code = stream.rstCode ?? 0;
      if (code === NGHTTP2_REFUSED_STREAM && this.responseBytes === 0) this.requests = Math.max(this.requests, 2);
      this.fail(closeReason(code, this.entry.session));
      return;
    }
    this.closed = true;
    this.pool.streamClosed(this);
  }

  /** The stream failed: the user learns it once, the session slot is given back. */
  private fail(reason: UpstreamResetReason): void {
    if (this.closed) return;
    this.closed = true;
    this.responseEnded = true;
    const user = this.user;
    this.user = null;
    const s = this.stream;
    if (s !== null && !s.closed) s.close(NGHTTP2_CANCEL);
    this.pool.streamClosed(this);
    if (user !== null) user.onUpstreamReset(reason);
  }

  /** The user is done with the response (`release`) or abandons it (`destroy`); the slot is given back on close. */
  detach(cancel: boolean): void {
    this.user = null;
    const s = this.stream;
    if (s === null) {
      this.closed = true;
      this.pool.streamClosed(this);
      return;
    }
    if (!s.closed && (cancel || !this.requestEnded || !this.responseEnded)) s.close(NGHTTP2_CANCEL);
  }
}

/** Flat `[name, value, ...]` without pseudo-headers. */
export function flatHeaders(headers: http2.IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, x);
    else out.push(name, String(v));
  }
  return out;
}

function noop(): void {}
