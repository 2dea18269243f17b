import { Duration } from 'cdk8s';
import type { HTTPRetry } from '../api/virtual-service';
import { compact, intAtLeast } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';

/**
 * Conditions Envoy retries on (`x-envoy-retry-on` and `x-envoy-retry-grpc-on` values).
 * HTTP status codes (`'503'`) are accepted too, as Istio does.
 */
export const RetryOn = {
  /** Any 5xx response, or a reset/timeout before a response. */
  SERVER_ERROR: '5xx',
  /** 502, 503 or 504. */
  GATEWAY_ERROR: 'gateway-error',
  /** The upstream reset the stream. */
  RESET: 'reset',
  /** A reset before the request was sent upstream. */
  RESET_BEFORE_REQUEST: 'reset-before-request',
  /** The connection to the upstream failed. */
  CONNECT_FAILURE: 'connect-failure',
  /** The upstream answered 429 with the Envoy rate-limited header. */
  ENVOY_RATELIMITED: 'envoy-ratelimited',
  /** 409. */
  RETRIABLE_4XX: 'retriable-4xx',
  /** The upstream sent REFUSED_STREAM. */
  REFUSED_STREAM: 'refused-stream',
  /** Status codes listed as retriable. */
  RETRIABLE_STATUS_CODES: 'retriable-status-codes',
  /** Responses carrying retriable headers. */
  RETRIABLE_HEADERS: 'retriable-headers',
  /** HTTP/3 post-connect failures. */
  HTTP3_POST_CONNECT_FAILURE: 'http3-post-connect-failure',
  /** gRPC CANCELLED. */
  GRPC_CANCELLED: 'cancelled',
  /** gRPC DEADLINE_EXCEEDED. */
  GRPC_DEADLINE_EXCEEDED: 'deadline-exceeded',
  /** gRPC INTERNAL. */
  GRPC_INTERNAL: 'internal',
  /** gRPC RESOURCE_EXHAUSTED. */
  GRPC_RESOURCE_EXHAUSTED: 'resource-exhausted',
  /** gRPC UNAVAILABLE. */
  GRPC_UNAVAILABLE: 'unavailable',
} as const;

const KNOWN_RETRY_ON: ReadonlySet<string> = new Set(Object.values(RetryOn));

/** Options shared by every retry policy. */
export interface RetryOptions {
  /**
   * Number of retries (not counting the first try). `0` disables retries.
   * @default 2 (Istio's default)
   */
  readonly attempts?: number;
  /**
   * Timeout of each try, including the first.
   * @default - the route's timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Retry on other localities than the one that failed.
   * @default - Istio's default (false)
   */
  readonly retryRemoteLocalities?: boolean;
}

/** Istio's default number of retries when a route sets a retry policy without `attempts`. */
export const DEFAULT_RETRY_ATTEMPTS = 2;

/** A route's retry policy, rendered as Istio's `HTTPRetry`. */
export abstract class Retry {
  /** Retries 502/503/504, connection failures and refused streams. */
  public static onGatewayErrors(options: RetryOptions = {}): Retry {
    return new RetryImpl(
      [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM],
      options.attempts ?? DEFAULT_RETRY_ATTEMPTS,
      options,
    );
  }

  /** Retries on any 5xx, resets and connection failures. */
  public static onServerErrors(options: RetryOptions = {}): Retry {
    return new RetryImpl([RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE], options.attempts ?? DEFAULT_RETRY_ATTEMPTS, options);
  }

  /**
   * Retries on the given conditions (see `RetryOn`; HTTP status codes like `'503'` also work).
   */
  public static on(conditions: readonly string[], options: RetryOptions = {}): Retry {
    return new RetryImpl([...conditions], options.attempts ?? DEFAULT_RETRY_ATTEMPTS, options);
  }

  /** Turns retries off for the route (`attempts: 0`), overriding Istio's default of 2. */
  public static none(): Retry {
    return new RetryImpl([], 0, {});
  }

  /** @internal Istio's `HTTPRetry`. */
  public abstract _render(): HTTPRetry;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class RetryImpl extends Retry {
  constructor(
    private readonly retryOn: readonly string[],
    private readonly attempts: number,
    private readonly options: RetryOptions,
  ) {
    super();
  }

  public _render(): HTTPRetry {
    return compact({
      attempts: this.attempts,
      perTryTimeout: this.options.perTryTimeout ? istioDuration(this.options.perTryTimeout) : undefined,
      retryOn: this.retryOn.length > 0 ? this.retryOn.join(',') : undefined,
      retryRemoteLocalities: this.options.retryRemoteLocalities,
    }) as HTTPRetry;
  }

  public _validate(): string[] {
    const problems = [
      ...intAtLeast('attempts', this.attempts, 0),
      ...durationProblems('perTryTimeout', this.options.perTryTimeout),
    ];
    for (const c of this.retryOn) {
      if (!KNOWN_RETRY_ON.has(c) && !isStatusCode(c)) {
        problems.push(`retryOn must be one of ${[...KNOWN_RETRY_ON].join(', ')} or an HTTP status code 100..599 (got ${JSON.stringify(c)})`);
      }
    }
    return problems;
  }
}

function isStatusCode(s: string): boolean {
  if (!/^[0-9]{3}$/.test(s)) {
    return false;
  }
  const n = Number(s);
  return n >= 100 && n <= 599;
}
