/**
 * Which headers the proxy forwards, drops or rewrites (RFC 9110 §7.6.1 hop-by-hop
 * fields; the forwarding headers Envoy adds). Names are classified by length
 * first so the common header costs one switch and no lower-casing.
 */

export const H_OTHER = 0;
/** Connection-specific, never forwarded: Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade. */
export const H_HOP = 1;
export const H_CONNECTION = 2;
export const H_TRANSFER_ENCODING = 3;
export const H_HOST = 4;
export const H_CONTENT_LENGTH = 5;
export const H_XFF = 6;
export const H_XFP = 7;
export const H_REQUEST_ID = 8;
export const H_EXPECT = 9;
/** Set by the proxy from the mTLS peer (Envoy's forward_client_cert_details), never passed through as sent. */
export const H_XFCC = 10;

/** Classifies a header name (any case). */
export function classifyHeader(name: string): number {
  switch (name.length) {
    case 2:
      return lowerEq(name, 'te') ? H_HOP : H_OTHER;
    case 4:
      return lowerEq(name, 'host') ? H_HOST : H_OTHER;
    case 6:
      return lowerEq(name, 'expect') ? H_EXPECT : H_OTHER;
    case 7:
      return lowerEq(name, 'upgrade') || lowerEq(name, 'trailer') ? H_HOP : H_OTHER;
    case 10:
      if (lowerEq(name, 'connection')) return H_CONNECTION;
      return lowerEq(name, 'keep-alive') ? H_HOP : H_OTHER;
    case 12:
      return lowerEq(name, 'x-request-id') ? H_REQUEST_ID : H_OTHER;
    case 14:
      return lowerEq(name, 'content-length') ? H_CONTENT_LENGTH : H_OTHER;
    case 15:
      return lowerEq(name, 'x-forwarded-for') ? H_XFF : H_OTHER;
    case 16:
      return lowerEq(name, 'proxy-connection') ? H_HOP : H_OTHER;
    case 17:
      if (lowerEq(name, 'transfer-encoding')) return H_TRANSFER_ENCODING;
      return lowerEq(name, 'x-forwarded-proto') ? H_XFP : H_OTHER;
    case 23:
      return lowerEq(name, 'x-forwarded-client-cert') ? H_XFCC : H_OTHER;
    default:
      return H_OTHER;
  }
}

function lowerEq(name: string, lower: string): boolean {
  return name === lower || name.toLowerCase() === lower;
}

/**
 * Extra hop-by-hop names listed in a Connection header value (`close`,
 * `keep-alive` and `upgrade` are handled anyway), lower-cased; null when none.
 */
export function connectionTokens(value: string): Set<string> | null {
  // The usual values, without splitting.
  if (value.length === 10 ? lowerEq(value, 'keep-alive') : value.length === 5 && lowerEq(value, 'close')) return null;
  let set: Set<string> | null = null;
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase();
    if (t === '' || t === 'close' || t === 'keep-alive' || t === 'upgrade') continue;
    (set ??= new Set()).add(t);
  }
  return set;
}

/** Request body framing, as forwarded upstream. */
export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;

/**
 * One pass over a request's headers: what routing and forwarding need, and the
 * forwardable header block (`name: value\r\n` lines, hop-by-hop and the headers the
 * proxy sets itself removed). One instance per connection, reused per request.
 */
export class RequestHeaderScan {
  host = '';
  forwardedFor = '';
  forwardedProto = '';
  requestId = '';
  /** The `x-forwarded-client-cert` value received (comma-joined), '' when none. */
  clientCert = '';
  bodyKind = BODY_NONE;
  expectContinue = false;
  /** The forwardable header lines. */
  block = '';

  scan(headers: readonly string[]): void {
    this.host = '';
    this.forwardedFor = '';
    this.forwardedProto = '';
    this.requestId = '';
    this.clientCert = '';
    this.bodyKind = BODY_NONE;
    this.expectContinue = false;
    let block = '';
    let extra: Set<string> | null = null;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      const value = headers[i + 1];
      switch (classifyHeader(name)) {
        case H_OTHER:
          block += `${name}: ${value}\r\n`;
          break;
        case H_HOST:
          if (this.host === '') this.host = value;
          break;
        case H_CONTENT_LENGTH:
          if (this.bodyKind !== BODY_CHUNKED && value !== '0') this.bodyKind = BODY_LENGTH;
          block += `${name}: ${value}\r\n`;
          break;
        case H_TRANSFER_ENCODING:
          this.bodyKind = BODY_CHUNKED;
          break;
        case H_CONNECTION: {
          const t = connectionTokens(value);
          if (t !== null) {
            if (extra === null) extra = t;
            else for (const x of t) extra.add(x);
          }
          break;
        }
        case H_XFF:
          this.forwardedFor = this.forwardedFor === '' ? value : `${this.forwardedFor}, ${value}`;
          break;
        case H_XFP:
          if (this.forwardedProto === '') this.forwardedProto = value;
          break;
        case H_XFCC:
          this.clientCert = this.clientCert === '' ? value : `${this.clientCert},${value}`;
          break;
        case H_REQUEST_ID:
          if (this.requestId === '') this.requestId = value;
          block += `${name}: ${value}\r\n`;
          break;
        case H_EXPECT:
          if (value.length === 12 && value.toLowerCase() === '100-continue') this.expectContinue = true;
          block += `${name}: ${value}\r\n`;
          break;
        default:
          break; // hop-by-hop
      }
    }
    if (this.bodyKind === BODY_CHUNKED) {
      // Content-Length cannot come with chunking (the parser rejects that); drop any trace of it.
      block = stripLines(block, 'content-length');
    }
    if (extra !== null) for (const name of extra) block = stripLines(block, name);
    this.block = block;
  }
}

/** Removes `name: ...\r\n` lines (case-insensitive name) from a header block. */
function stripLines(block: string, lowerName: string): string {
  const lines = block.split('\r\n');
  const kept = lines.filter((l) => {
    const c = l.indexOf(':');
    return c < 0 || l.slice(0, c).toLowerCase() !== lowerName;
  });
  return kept.join('\r\n');
}

/**
 * The forwardable block of a response's headers and its framing. Instances are
 * reused per connection.
 */
export class ResponseHeaderScan {
  contentLength = -1;
  block = '';

  scan(headers: readonly string[]): void {
    this.contentLength = -1;
    let block = '';
    let extra: Set<string> | null = null;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      const value = headers[i + 1];
      const k = classifyHeader(name);
      if (k === H_HOP || k === H_TRANSFER_ENCODING) continue;
      if (k === H_CONNECTION) {
        const t = connectionTokens(value);
        if (t !== null) {
          if (extra === null) extra = t;
          else for (const x of t) extra.add(x);
        }
        continue;
      }
      if (k === H_CONTENT_LENGTH) this.contentLength = Number(value);
      block += `${name}: ${value}\r\n`;
    }
    if (extra !== null) for (const name of extra) block = stripLines(block, name);
    this.block = block;
  }
}
