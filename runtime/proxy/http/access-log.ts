import type { RequestHead } from './request-head';

/**
 * What the access-log hook sees for each finished exchange (Envoy's command
 * operators in brackets). The object is the live exchange: read what you need
 * during the call and do not keep it.
 */
export interface AccessLogEntry {
  readonly head: RequestHead;
  /** %REQ(X-REQUEST-ID)%: the client's, or the one generated. */
  readonly requestId: string;
  /** %RESPONSE_CODE%: 0 when no response was sent (client gone). */
  readonly responseCode: number;
  /** %RESPONSE_FLAGS% as bits; format with `formatResponseFlags`. */
  readonly responseFlags: number;
  /** %RESPONSE_CODE_DETAILS%. */
  readonly responseCodeDetails: string;
  /** %BYTES_RECEIVED%: request body bytes. */
  readonly bytesReceived: number;
  /** %BYTES_SENT%: response body bytes. */
  readonly bytesSent: number;
  /** %START_TIME% as epoch ms. */
  readonly startTimeMs: number;
  /** %DURATION% in ms (fractional). */
  readonly durationMs: number;
  /** %UPSTREAM_HOST% (`host:port`) or null. */
  readonly upstreamHost: string | null;
  /** %UPSTREAM_CLUSTER% or null. */
  readonly upstreamCluster: string | null;
  /** Istio's `request_protocol`: `grpc` for gRPC requests (HTTP/2 listener). @default 'http' */
  readonly requestProtocol?: 'http' | 'grpc';
}

/** Called synchronously once per exchange; keep it cheap (buffer, then write in batches). */
export type AccessLogHook = (entry: AccessLogEntry) => void;
