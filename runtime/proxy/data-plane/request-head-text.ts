/**
 * Edits of the upstream request head the HTTP engine writes (`METHOD path
 * HTTP/1.1\r\nname: value\r\n...\r\n\r\n`): request header operations and the
 * `-shadow` host of mirrored requests. Only routes with such operations pay for
 * the parse.
 */
import { applyHeaderOps, HeaderOp } from '../routing';

/** Headers that frame the message: header operations never touch them. */
const FRAMING = new Set(['transfer-encoding', 'content-length']);

function split(head: string): { line: string; headers: string[] } {
  const lines = head.split('\r\n');
  const line = lines[0] ?? '';
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === '') break;
    const colon = l.indexOf(':');
    if (colon <= 0) continue;
    headers.push(l.slice(0, colon), l.slice(colon + 1).trim());
  }
  return { line, headers };
}

function join(line: string, headers: readonly string[]): string {
  let s = `${line}\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${s}\r\n`;
}

/** Applies header operations (Envoy order: as listed) to a request head. */
export function applyRequestHeaderOps(head: string, ops: readonly HeaderOp[]): string {
  if (ops.length === 0) return head;
  const safe = ops.filter((o) => !FRAMING.has(o.name.toLowerCase()));
  const { line, headers } = split(head);
  return join(line, applyHeaderOps(safe.map((o) => ({ ...o, name: o.name.toLowerCase() }) as HeaderOp), headers));
}

/** The head with its Host suffixed by `-shadow` (before any port), as Envoy sends mirrored requests. */
export function shadowHead(head: string): string {
  const { line, headers } = split(head);
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() !== 'host') continue;
    const host = headers[i + 1] as string;
    const m = /^(.*?)(:\d+)?$/.exec(host);
    headers[i + 1] = m ? `${m[1]}-shadow${m[2] ?? ''}` : `${host}-shadow`;
  }
  return join(line, headers);
}

/** Response header operations applied to a flat `[name, value, ...]` list. */
export function applyResponseHeaderOps(headers: string[], ops: readonly HeaderOp[]): string[] {
  if (ops.length === 0) return headers;
  const lowered: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) lowered.push((headers[i] as string).toLowerCase(), headers[i + 1] as string);
  const safe = ops.filter((o) => !FRAMING.has(o.name.toLowerCase())).map((o) => ({ ...o, name: o.name.toLowerCase() }) as HeaderOp);
  return applyHeaderOps(safe, lowered);
}
