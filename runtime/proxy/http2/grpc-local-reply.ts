/**
 * gRPC-aware local replies, as Envoy sends them: a request whose content-type
 * is `application/grpc*` that the proxy answers itself (no route, fault abort,
 * overflow, no healthy upstream, timeout) gets HTTP 200 with `grpc-status`
 * and `grpc-message` in a trailers-only response, the HTTP status mapped to a
 * gRPC code (gRPC's HTTP-to-gRPC status mapping).
 */
import type { OutgoingHttpHeaders } from 'http2';

export const GrpcStatus = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16,
} as const;

/** Whether a content-type names gRPC (`application/grpc`, `application/grpc+proto`, ...). */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/grpc');
}

/** The gRPC status for an HTTP status of a local reply. */
export function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return status >= 200 && status < 300 ? GrpcStatus.OK : GrpcStatus.UNKNOWN;
  }
}

/** `grpc-message` text: percent-encodes bytes outside printable ASCII and `%` (gRPC over HTTP/2 spec). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The trailers-only response for a local reply of `status` with `body` as its message. */
export function grpcLocalReply(status: number, message: string): OutgoingHttpHeaders {
  return {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-status': String(httpToGrpcStatus(status)),
    'grpc-message': encodeGrpcMessage(message),
  };
}
