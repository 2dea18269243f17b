/**
 * Protocol detection on a plaintext HTTP listener (HCM `codec_type: AUTO`):
 * the first bytes of a connection either start HTTP/2's connection preface
 * (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, h2c with prior knowledge) or are an
 * HTTP/1 request. Runs once per connection, never per request; the bytes read
 * are put back so the chosen engine sees the connection from its start.
 */
import type * as net from 'net';

export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** 'h2' when `data` starts with the preface, 'h1' when it cannot, 'more' when too short to tell. */
export function classifyPreface(data: Buffer): 'h2' | 'h1' | 'more' {
  const n = Math.min(data.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (data[i] !== HTTP2_PREFACE[i]) return 'h1';
  return n === HTTP2_PREFACE.length ? 'h2' : 'more';
}

/**
 * Reads the first bytes of `socket`, then hands it, paused with those bytes
 * unread, to `h1` or `h2`. A connection that closes first is dropped.
 */
export function sniffHttpVersion(socket: net.Socket, h1: (socket: net.Socket) => void, h2: (socket: net.Socket) => void): void {
  let seen: Buffer | null = null;
  const onData = (chunk: Buffer): void => {
    const data = seen === null ? chunk : Buffer.concat([seen, chunk]);
    const kind = classifyPreface(data);
    if (kind === 'more') {
      seen = data;
      return;
    }
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onEnd);
    socket.pause();
    socket.unshift(data);
    if (kind === 'h2') {
      h2(socket);
    } else {
      // The HTTP/1 engine attaches its reader, then the bytes flow to it as a 'data' event.
      h1(socket);
      socket.resume();
    }
  };
  // Closed or broken before it said anything decisive: nothing to serve.
  const onEnd = (): void => {
    socket.off('data', onData);
    socket.destroy();
  };
  socket.on('error', onEnd);
  socket.on('data', onData);
  socket.once('end', onEnd);
}
