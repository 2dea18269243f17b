/**
 * The engine's upstream request head (`METHOD path HTTP/1.1` and header lines,
 * as the router filter edited it) turned into HTTP/2 request headers: Host
 * becomes `:authority`, connection-specific fields are dropped (RFC 9113
 * §8.2.2), `te` stays only as `trailers` (and is added for gRPC), and the
 * body framing is reported so the stream knows where the request ends.
 */
import type { OutgoingHttpHeaders } from 'http2';

export type RequestFraming = 'none' | 'length' | 'chunked';

export interface H2RequestHead {
  readonly headers: OutgoingHttpHeaders;
  readonly framing: RequestFraming;
  /** Body bytes when `framing` is `length`. */
  readonly contentLength: number;
}

const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te', 'trailer']);

/** Parses `head` (ending with an empty line); throws on a malformed request line. */
export function h2RequestHead(head: string, scheme: 'http' | 'https'): H2RequestHead {
  const lines = head.split('\r\n');
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const sp2 = first.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) throw new Error(`malformed request line: ${first}`);
  const headers: OutgoingHttpHeaders = {
    ':method': first.slice(0, sp1),
    ':path': first.slice(sp1 + 1, sp2),
    ':scheme': scheme,
  };
  let framing: RequestFraming = 'none';
  let contentLength = 0;
  let te = false;
  let grpc = false;
  const extraHop = new Set<string>();
  const pairs: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (name) {
      case 'host':
        headers[':authority'] ??= value;
        continue;
      case 'transfer-encoding':
        if (value.toLowerCase().includes('chunked')) framing = 'chunked';
        continue;
      case 'content-length':
        if (framing !== 'chunked') {
          contentLength = Number(value);
          framing = contentLength > 0 ? 'length' : 'none';
        }
        break;
      case 'te':
        if (value.toLowerCase().split(',').some((t) => t.trim() === 'trailers')) te = true;
        continue;
      case 'connection':
        for (const t of value.split(',')) extraHop.add(t.trim().toLowerCase());
        continue;
      case 'content-type':
        if (value.startsWith('application/grpc')) grpc = true;
        break;
    }
    pairs.push([name, value]);
  }
  for (const [name, value] of pairs) {
    if (DROPPED.has(name) || extraHop.has(name)) continue;
    if (framing === 'chunked' && name === 'content-length') continue;
    const prev = headers[name];
    if (prev === undefined) headers[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else headers[name] = [String(prev), value];
  }
  if (te || grpc) headers.te = 'trailers';
  return { headers, framing, contentLength };
}
