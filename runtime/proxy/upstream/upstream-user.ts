import type { UpstreamConnection } from './upstream-connection';

/** Why an upstream connection stopped serving a request before its response completed. */
/**
 * Why an upstream exchange failed. `remote-reset`: the upstream reset the
 * HTTP/2 stream while its connection stayed up (Envoy's UR); `termination`:
 * the connection closed under the exchange (UC).
 */
export type UpstreamResetReason = 'connect-failure' | 'connect-timeout' | 'termination' | 'remote-reset' | 'protocol-error' | 'overflow';

/**
 * Whoever waits for and then uses a pooled connection (one exchange). Methods, not
 * callbacks, so an exchange registers itself without allocating closures.
 */
export interface UpstreamUser {
  /** A connection is ready and now belongs to this user until it calls `release`/`destroy`. */
  onUpstreamReady(conn: UpstreamConnection): void;
  /** No connection could be had (connect failure/timeout, overflow). */
  onUpstreamFailure(reason: UpstreamResetReason): void;
  /**
   * A response head arrived (also interim 1xx heads). Headers are flat
   * `[name, value, ...]`. Return true when the response has no body though its
   * framing says otherwise (a reply to HEAD).
   */
  onResponseHead(status: number, reason: string, headers: string[], keepAlive: boolean): boolean;
  onResponseBody(chunk: Buffer): void;
  /** Response trailers, flat `[name, value, ...]` (HTTP/2 upstreams; gRPC status), before `onResponseEnd`. */
  onResponseTrailers?(trailers: string[]): void;
  /** The response is complete; `keepAlive` tells whether the connection may be reused. */
  onResponseEnd(keepAlive: boolean): void;
  /** The connection failed while this user held it. */
  onUpstreamReset(reason: UpstreamResetReason): void;
  /** The upstream socket drained after a write returned false. */
  onUpstreamDrain(): void;
}
