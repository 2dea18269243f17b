/**
 * One write of a whole request head or response (head + body) to a plain TCP
 * socket, straight to its native handle when the socket's own write queue is
 * empty: the bytes go to the kernel in the same syscall `socket.write` would
 * make, without the Writable stream's bookkeeping around it (state, callbacks,
 * the after-write tick), which is a large part of the proxy's per-request
 * JavaScript. Anything else (TLS, a corked or connecting socket, bytes already
 * queued by the stream, a socket with an idle timeout) goes through
 * `socket.write` as before.
 *
 * When the kernel takes only part of the bytes, libuv keeps writing the rest in
 * order (later writes, through the stream or here, queue behind it); the call
 * returns false and the socket emits 'drain' once it is done, as `socket.write`
 * does. A write error destroys the socket with the error, as the stream would.
 *
 * Uses the `stream_wrap` binding (`WriteWrap`, `streamBaseState`) as Node's own
 * `net` does; without it every write takes the `socket.write` path.
 */
import type { Socket } from 'net';
import { getSystemErrorName } from 'util';

interface WriteReq {
  handle: NativeStream;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | string | null;
  callback: null;
  /** Ours: the socket whose 'drain' an asynchronous completion owes. */
  socket: FastSocket | null;
}

interface NativeStream {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
}

interface StreamWrapBinding {
  readonly WriteWrap: new () => WriteReq;
  readonly streamBaseState: Int32Array;
  readonly kLastWriteWasAsync: number;
}

type FastSocket = Socket & {
  readonly _handle?: NativeStream | null;
  readonly encrypted?: boolean;
  readonly timeout?: number;
  /** Asynchronous direct writes not yet completed. */
  meshformDirectWrites?: number;
};

function loadBinding(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array && typeof b.kLastWriteWasAsync === 'number') return b as StreamWrapBinding;
  } catch {
    // Not available (a future Node, a permission model): the stream path is used.
  }
  return null;
}

const binding = loadBinding();

function writeError(status: number): NodeJS.ErrnoException {
  let name = 'EIO';
  try {
    name = getSystemErrorName(status);
  } catch {
    // keep EIO
  }
  const e = new Error(`write ${name}`) as NodeJS.ErrnoException;
  e.code = name;
  e.errno = status;
  e.syscall = 'write';
  return e;
}

function onDirectWriteComplete(this: WriteReq, status: number): void {
  const s = this.socket;
  this.buffer = null;
  this.socket = null;
  if (s === null || s.destroyed) return;
  if (status < 0) {
    s.destroy(writeError(status));
    return;
  }
  const left = (s.meshformDirectWrites ?? 1) - 1;
  s.meshformDirectWrites = left;
  if (left === 0) s.emit('drain');
}

/**
 * Writes `data` (a Buffer, or a latin1 string) as `socket.write(data[, 'latin1'])`
 * would; returns false when the caller should wait for 'drain'.
 */
export function writeDirect(socket: Socket, data: Buffer | string): boolean {
  const s = socket as FastSocket;
  const handle = s._handle;
  if (binding === null || handle === null || handle === undefined || s.writableLength !== 0 || s.writableCorked !== 0 || s.connecting ||
    s.destroyed || !s.writable || s.encrypted === true || (s.timeout !== undefined && s.timeout > 0)) {
    return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  }
  const req = new binding.WriteWrap();
  req.handle = handle;
  req.oncomplete = onDirectWriteComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  req.callback = null;
  req.socket = null;
  const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (err !== 0) {
    // As the stream does: the error comes out of the socket on a later tick.
    const e = writeError(err);
    process.nextTick(() => s.destroy(e));
    return false;
  }
  const pending = s.meshformDirectWrites ?? 0;
  if (binding.streamBaseState[binding.kLastWriteWasAsync] === 0) return pending === 0;
  // The kernel took part of it: libuv writes the rest; keep the bytes alive and owe a 'drain'.
  req.async = true;
  req.buffer = data;
  req.socket = s;
  s.meshformDirectWrites = pending + 1;
  return false;
}
