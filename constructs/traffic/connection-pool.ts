import { Duration } from 'cdk8s';
import type { ConnectionPoolSettings } from '../api/destination-rule';
import { compact, intInRange, INT32_MAX, undefinedIfEmpty } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';

/** TCP limits, per upstream host. */
export interface TcpPoolOptions {
  /**
   * Maximum connections to one upstream host (1..2^31-1).
   * @default - Istio's default (2^32-1, effectively unlimited)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   * @default 10s (Istio's default)
   */
  readonly connectTimeout?: Duration;
  /**
   * Close connections older than this.
   * @default - no limit
   */
  readonly maxConnectionDuration?: Duration;
}

/** HTTP limits, per upstream cluster. */
export interface HttpPoolOptions {
  /**
   * Maximum requests queued while waiting for a connection (1..2^31-1).
   * @default - Istio's default (2^32-1)
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum active requests to the destination (1..2^31-1).
   * @default - Istio's default (2^32-1)
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection; 1 disables keep-alive (1..2^31-1).
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum concurrent retries to the destination (1..2^31-1).
   * @default - Istio's default (2^32-1)
   */
  readonly maxRetries?: number;
  /**
   * Close upstream connections with no active request for this long.
   * @default 1h
   */
  readonly idleTimeout?: Duration;
  /**
   * Upgrade HTTP/1.1 connections to HTTP/2.
   * @default - the mesh-wide setting
   */
  readonly h2UpgradePolicy?: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
  /**
   * Use the caller's protocol (HTTP/1.1 or HTTP/2) upstream.
   * @default false
   */
  readonly useClientProtocol?: boolean;
}

/** Circuit-breaker limits for a destination (Istio's `ConnectionPoolSettings`). */
export abstract class ConnectionPool {
  /** TCP and/or HTTP limits. */
  public static of(options: { readonly tcp?: TcpPoolOptions; readonly http?: HttpPoolOptions }): ConnectionPool {
    return new ConnectionPoolImpl(options.tcp, options.http);
  }

  /** TCP limits only. */
  public static tcp(options: TcpPoolOptions): ConnectionPool {
    return new ConnectionPoolImpl(options, undefined);
  }

  /** HTTP limits only. */
  public static http(options: HttpPoolOptions): ConnectionPool {
    return new ConnectionPoolImpl(undefined, options);
  }

  /** @internal Istio's `ConnectionPoolSettings`. */
  public abstract _render(): ConnectionPoolSettings;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class ConnectionPoolImpl extends ConnectionPool {
  constructor(private readonly tcp: TcpPoolOptions | undefined, private readonly http: HttpPoolOptions | undefined) {
    super();
  }

  public _render(): ConnectionPoolSettings {
    const t = this.tcp;
    const h = this.http;
    return compact({
      tcp: t
        ? undefinedIfEmpty(compact({
          maxConnections: t.maxConnections,
          connectTimeout: t.connectTimeout ? istioDuration(t.connectTimeout) : undefined,
          maxConnectionDuration: t.maxConnectionDuration ? istioDuration(t.maxConnectionDuration) : undefined,
        }))
        : undefined,
      http: h
        ? undefinedIfEmpty(compact({
          http1MaxPendingRequests: h.http1MaxPendingRequests,
          http2MaxRequests: h.http2MaxRequests,
          maxRequestsPerConnection: h.maxRequestsPerConnection,
          maxRetries: h.maxRetries,
          idleTimeout: h.idleTimeout ? istioDuration(h.idleTimeout) : undefined,
          h2UpgradePolicy: h.h2UpgradePolicy,
          useClientProtocol: h.useClientProtocol,
        }))
        : undefined,
    }) as ConnectionPoolSettings;
  }

  public _validate(): string[] {
    const t = this.tcp ?? {};
    const h = this.http ?? {};
    return [
      ...intInRange('connectionPool.tcp.maxConnections', t.maxConnections, 1, INT32_MAX),
      ...durationProblems('connectionPool.tcp.connectTimeout', t.connectTimeout),
      ...durationProblems('connectionPool.tcp.maxConnectionDuration', t.maxConnectionDuration),
      ...intInRange('connectionPool.http.http1MaxPendingRequests', h.http1MaxPendingRequests, 1, INT32_MAX),
      ...intInRange('connectionPool.http.http2MaxRequests', h.http2MaxRequests, 1, INT32_MAX),
      ...intInRange('connectionPool.http.maxRequestsPerConnection', h.maxRequestsPerConnection, 1, INT32_MAX),
      ...intInRange('connectionPool.http.maxRetries', h.maxRetries, 1, INT32_MAX),
      ...durationProblems('connectionPool.http.idleTimeout', h.idleTimeout),
    ];
  }
}
