/**
 * The one place that touches Node's internal HTTP/1 parser.
 *
 * `_http_common` is the module node:http itself uses to parse requests and
 * responses: it exposes llhttp (the `HTTPParser` binding) with callbacks keyed by
 * numeric slots. It is not a documented API, so everything the proxy needs from it
 * is re-exported here with types; if a Node release changes it, this file (and
 * test/proxy-http/parser-binding.test.ts, which checks it on the running Node) is
 * the only thing to adapt. Checked on Node 20 (llhttp 8/9): callbacks are
 * `kOnHeaders(headers, url)` when more than 32 header pairs are flushed early,
 * `kOnHeadersComplete(major, minor, headers, method, url, status, reason, upgrade,
 * keepAlive)`, `kOnBody(chunk)` and `kOnMessageComplete()`; `execute` returns the
 * number of bytes parsed or an Error carrying `code` (e.g. `HPE_HEADER_OVERFLOW`).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import type { Socket } from 'net';

const common = require('_http_common') as {
  HTTPParser: NativeParserConstructor;
  methods: string[];
};

/** Callback run when more than 32 header pairs are seen before the head ends. */
export type OnHeaders = (headers: string[], url: string) => void;
/**
 * Callback at the end of a message head. `headers`/`url` are undefined when they
 * were already delivered through {@link OnHeaders}. Return 1 to tell a response
 * parser that the message has no body (reply to HEAD), 0 otherwise.
 */
export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number | void;
export type OnBody = (chunk: Buffer) => void;
export type OnMessageComplete = () => void;

/** The parse error shape returned (not thrown) by `execute`/`finish`. */
export interface ParseError extends Error {
  readonly code: string;
  readonly reason?: string;
  readonly bytesParsed?: number;
}

export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  consume(handle: object): void;
  unconsume(): void;
  execute(data: Buffer): number | ParseError;
  finish(): undefined | ParseError;
  close(): void;
  free(): void;
  remove(): void;
  [slot: number]: OnHeaders | OnHeadersComplete | OnBody | OnMessageComplete | undefined;
}

interface NativeParserConstructor {
  new (): NativeParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kOnMessageBegin: number;
  readonly kOnExecute: number;
  readonly kLenientNone: number;
}

const HTTPParser = common.HTTPParser;

/** Parser modes. */
export const PARSE_REQUEST = HTTPParser.REQUEST;
export const PARSE_RESPONSE = HTTPParser.RESPONSE;

/** Method names indexed by the numeric method llhttp reports. */
export const METHODS: readonly string[] = common.methods;

const RESOURCE = {};

/** The callbacks a parser user implements (one object per connection, no closures per message). */
export interface ParserSink {
  /** The first byte of a message arrived. @default not called when absent */
  onMessageBegin?(): void;
  onHeaders(headers: string[], url: string): void;
  onHeadersComplete: OnHeadersComplete;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/**
 * A strict (non-lenient) parser bound to `sink`. `maxHeaderSize` bounds the whole
 * head in bytes (0 = Node's default, 16 KiB).
 */
export function createParser(mode: number, maxHeaderSize: number, sink: ParserSink): NativeParser {
  const parser = new HTTPParser();
  parser.initialize(mode, RESOURCE, maxHeaderSize, HTTPParser.kLenientNone);
  parser[HTTPParser.kOnHeaders] = sink.onHeaders.bind(sink);
  parser[HTTPParser.kOnHeadersComplete] = sink.onHeadersComplete.bind(sink);
  parser[HTTPParser.kOnBody] = sink.onBody.bind(sink);
  parser[HTTPParser.kOnMessageComplete] = sink.onMessageComplete.bind(sink);
  if (sink.onMessageBegin !== undefined) parser[HTTPParser.kOnMessageBegin] = sink.onMessageBegin.bind(sink);
  return parser;
}

/** A socket's native stream handle, as node:http uses it. */
interface StreamHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

function handleOf(socket: Socket): StreamHandle | null {
  const h = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return h !== null && h !== undefined && typeof h.readStart === 'function' && typeof h.readStop === 'function' ? (h as StreamHandle) : null;
}

/**
 * Lets the parser read the socket's handle directly, as node:http's server does:
 * bytes go from libuv to llhttp without a Buffer and stream events per read.
 * `onExecute` gets each read's result (bytes parsed, or the parse error). Keep a
 * 'data' listener on the socket (it stays flowing; EOF and errors still arrive as
 * socket events). Returns false when the socket has no such handle (then feed
 * `execute` from 'data' events).
 */
export function consumeSocket(parser: NativeParser, socket: Socket, onExecute: (r: number | ParseError) => void): boolean {
  const handle = handleOf(socket);
  if (handle === null) return false;
  (parser as unknown as Record<number, unknown>)[HTTPParser.kOnExecute] = onExecute;
  parser.consume(handle);
  return true;
}

/** Starts or stops reading a consumed socket (socket.pause() does not reach a consumed handle). */
export function setHandleReading(socket: Socket, reading: boolean): void {
  const handle = handleOf(socket);
  if (handle === null || handle.reading === reading) return;
  handle.reading = reading;
  if (reading) handle.readStart();
  else handle.readStop();
}

/** Resets a parser for a new stream of messages (e.g. a pooled parser), keeping its callbacks. */
export function resetParser(parser: NativeParser, mode: number, maxHeaderSize: number): void {
  parser.initialize(mode, RESOURCE, maxHeaderSize, HTTPParser.kLenientNone);
}

/**
 * Releases a parser once its socket closed. Deferred to the next turn of the
 * event loop: a 'close' handler can run from inside a parser callback (ticks are
 * drained there), and the native parser must not be freed while it executes.
 */
export function releaseParser(parser: NativeParser, consumed: boolean): void {
  setImmediate(closeParser, parser, consumed);
}

function closeParser(parser: NativeParser, consumed: boolean): void {
  if (consumed) parser.unconsume();
  parser.close();
}

export function isParseError(r: number | ParseError | undefined): r is ParseError {
  return typeof r === 'object' && r !== null;
}
