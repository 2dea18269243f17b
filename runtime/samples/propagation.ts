/**
 * The headers an app must copy from its incoming request to its outgoing calls
 * so the mesh can join the spans of one request and route by user: the request
 * id, W3C trace context, the B3 headers and bookinfo's `end-user`.
 */
import { IncomingMessage } from 'http';

export const PROPAGATED_HEADERS: readonly string[] = [
  'x-request-id',
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'x-ot-span-context',
  'end-user',
];

/** The propagated headers present on `request`. */
export function propagatedHeaders(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROPAGATED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}
