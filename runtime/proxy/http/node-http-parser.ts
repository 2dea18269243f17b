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
  return parser;
}

/** Resets a parser for a new stream of messages (e.g. a pooled parser), keeping its callbacks. */
export function resetParser(parser: NativeParser, mode: number, maxHeaderSize: number): void {
  parser.initialize(mode, RESOURCE, maxHeaderSize, HTTPParser.kLenientNone);
}

export function isParseError(r: number | ParseError | undefined): r is ParseError {
  return typeof r === 'object' && r !== null;
}
