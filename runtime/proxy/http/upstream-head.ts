/**
 * The upstream request head both listeners (HTTP/1.1 and HTTP/2) write, in the
 * engine's HTTP/1.1 dialect. It opens with the request line and host after the
 * route's rewrites, the client's headers as the header-policy scan kept them,
 * and x-forwarded-for / x-forwarded-proto; it closes with the route's added
 * headers and chunked framing for a body of unknown length. What goes between
 * (x-request-id, x-forwarded-client-cert, te) each listener adds itself.
 */
import type { RequestHead } from './request-head';
import type { ForwardDecision } from './route-decision';

/** `name: value\r\n` lines of flat `[name, value, ...]` headers. */
export function flatLines(flat: readonly string[]): string {
  let s = '';
  for (let i = 0; i + 1 < flat.length; i += 2) s += `${flat[i]}: ${flat[i + 1]}\r\n`;
  return s;
}

/** The head up to and including x-forwarded-proto; `forwardedFor`/`forwardedProto` as the client sent them ('' when it did not). */
export function upstreamHeadStart(head: RequestHead, route: ForwardDecision, headerBlock: string, forwardedFor: string, forwardedProto: string): string {
  const path = route.pathRewrite ?? head.path;
  const authority = route.hostRewrite ?? head.authority;
  const remote = head.remoteAddress;
  return `${head.method} ${path} HTTP/1.1\r\nhost: ${authority}\r\n${headerBlock}x-forwarded-for: ${
    forwardedFor === '' ? remote : `${forwardedFor}, ${remote}`
  }\r\nx-forwarded-proto: ${forwardedProto === '' ? head.scheme : forwardedProto}\r\n`;
}

/** The rest of the head: the route's added headers, chunked framing when asked, the blank line. */
export function upstreamHeadEnd(route: ForwardDecision, chunked: boolean): string {
  const added = route.requestHeadersToAdd !== undefined ? flatLines(route.requestHeadersToAdd) : '';
  return `${added}${chunked ? 'transfer-encoding: chunked\r\n' : ''}\r\n`;
}
