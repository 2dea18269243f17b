/**
 * Retry policy as the router uses it: `retry_on` parsed once to a bitmask,
 * {@link retryable} deciding whether an attempt's outcome is retried, and
 * Envoy's fully jittered exponential backoff.
 */
import type { HeaderMatcher, RetryPolicy } from '../../xds/resources';
import { headerMatches } from './request-matcher';
import type { RandomSource } from './random';

/** `retry_on` conditions as bits. */
export const RetryOnBits = {
  '5xx': 1 << 0,
  'gateway-error': 1 << 1,
  reset: 1 << 2,
  'reset-before-request': 1 << 3,
  'connect-failure': 1 << 4,
  'envoy-ratelimited': 1 << 5,
  'retriable-4xx': 1 << 6,
  'refused-stream': 1 << 7,
  'retriable-status-codes': 1 << 8,
  'retriable-headers': 1 << 9,
  'http3-post-connect-failure': 1 << 10,
  cancelled: 1 << 11,
  'deadline-exceeded': 1 << 12,
  internal: 1 << 13,
  'resource-exhausted': 1 << 14,
  unavailable: 1 << 15,
} as const;
export type RetryCondition = keyof typeof RetryOnBits;

/** Envoy's default backoff base interval. */
export const DEFAULT_BACKOFF_BASE_MS = 25;
/** Envoy's default backoff cap: 10 × the base interval. */
export const DEFAULT_BACKOFF_MAX_MS = 250;

/**
 * `retry_on` text (`"5xx,connect-failure"`) or a list of conditions → a bitmask.
 * Unknown names are ignored (the decoder has already rejected them).
 */
export function parseRetryOn(retryOn: string | readonly string[]): number {
  const parts = typeof retryOn === 'string' ? retryOn.split(',') : retryOn;
  let bits = 0;
  for (const raw of parts) {
    const bit = (RetryOnBits as Readonly<Record<string, number>>)[raw.trim()];
    if (bit !== undefined) bits |= bit;
  }
  return bits;
}

/**
 * Envoy's fully jittered exponential backoff: before retry number `attempt`
 * (1 for the first retry), wait a uniformly random time in
 * [0, min((2^attempt − 1) × base, max)) ms.
 */
export function backoffMs(baseMs: number, maxMs: number, attempt: number, random: RandomSource): number {
  const n = Math.max(1, Math.min(Math.floor(attempt), 30));
  const ceiling = Math.min((2 ** n - 1) * baseMs, maxMs);
  return Math.floor(random() * ceiling);
}

/** The retry policy a forward decision carries, compiled once per route. */
export interface RetryPlan {
  /** {@link RetryOnBits} set. */
  readonly retryOn: number;
  /** @default 1 */
  readonly numRetries: number;
  /** Per-attempt timeout; the route timeout applies when undefined. */
  readonly perTryTimeoutMs?: number;
  readonly perTryIdleTimeoutMs?: number;
  readonly retriableStatusCodes: readonly number[];
  readonly retriableHeaders: readonly HeaderMatcher[];
  /** Prefer hosts not tried yet (Envoy's previous_hosts predicate). */
  readonly avoidPreviousHosts: boolean;
  /** @default 1 */
  readonly hostSelectionRetryMaxAttempts: number;
  /** @default 25 */
  readonly baseIntervalMs: number;
  /** @default 250 */
  readonly maxIntervalMs: number;
  /** Backoff before retry number `attempt` (1-based), in ms; see {@link backoffMs}. */
  nextBackoff(attempt: number, random: RandomSource): number;
}

/** Compiles a decoded retry policy. */
export function compileRetryPolicy(p: RetryPolicy): RetryPlan {
  const base = p.backOff.baseIntervalMs || DEFAULT_BACKOFF_BASE_MS;
  const max = p.backOff.maxIntervalMs || base * 10;
  return Object.freeze({
    retryOn: parseRetryOn(p.retryOn),
    numRetries: p.numRetries,
    ...(p.perTryTimeoutMs !== undefined ? { perTryTimeoutMs: p.perTryTimeoutMs } : {}),
    ...(p.perTryIdleTimeoutMs !== undefined ? { perTryIdleTimeoutMs: p.perTryIdleTimeoutMs } : {}),
    retriableStatusCodes: p.retriableStatusCodes,
    retriableHeaders: p.retriableHeaders,
    avoidPreviousHosts: p.avoidPreviousHosts,
    hostSelectionRetryMaxAttempts: p.hostSelectionRetryMaxAttempts,
    baseIntervalMs: base,
    maxIntervalMs: max,
    nextBackoff: (attempt: number, random: RandomSource) => backoffMs(base, max, attempt, random),
  });
}

/** How one upstream attempt ended. */
export type AttemptOutcome =
  /** Response headers arrived. `header` reads them (lower-case names), for retriable-headers, gRPC status and rate limiting. */
  | { readonly kind: 'response'; readonly status: number; readonly header?: (name: string) => string | undefined }
  /** The stream was reset or the connection closed before a response; `requestSent: false` when nothing was sent yet. */
  | { readonly kind: 'reset'; readonly requestSent?: boolean }
  /** No connection could be made (refused, connect timeout). */
  | { readonly kind: 'connectFailure' }
  /** HTTP/2 REFUSED_STREAM. */
  | { readonly kind: 'refusedStream' }
  /** The per-try timeout fired. */
  | { readonly kind: 'perTryTimeout' };

const B = RetryOnBits;
const ANY_RESET = B['5xx'] | B['gateway-error'] | B.reset;
const GRPC_BITS: Readonly<Record<string, number>> = {
  '1': B.cancelled, '4': B['deadline-exceeded'], '8': B['resource-exhausted'], '13': B.internal, '14': B.unavailable,
};

/**
 * Whether the outcome of an attempt is retried under the decision's retry
 * policy. `retriesDone` counts retries already made: once it reaches
 * `numRetries`, nothing more is retried. Without a policy nothing is.
 */
export function retryable(decision: { readonly retry?: RetryPlan }, outcome: AttemptOutcome, retriesDone = 0): boolean {
  const plan = decision.retry;
  if (!plan || retriesDone >= plan.numRetries) return false;
  const on = plan.retryOn;
  switch (outcome.kind) {
    case 'connectFailure':
      return (on & (ANY_RESET | B['connect-failure'] | B['reset-before-request'])) !== 0;
    case 'refusedStream':
      return (on & (ANY_RESET | B['refused-stream'])) !== 0;
    case 'reset':
      return (on & ANY_RESET) !== 0 || ((on & B['reset-before-request']) !== 0 && outcome.requestSent === false);
    case 'perTryTimeout':
      return (on & (B['5xx'] | B['gateway-error'])) !== 0;
    case 'response':
      return responseRetryable(plan, outcome.status, outcome.header);
  }
}

function responseRetryable(plan: RetryPlan, status: number, header: ((name: string) => string | undefined) | undefined): boolean {
  const on = plan.retryOn;
  if (header && header('x-envoy-overloaded') !== undefined) return false;
  if ((on & B['5xx']) !== 0 && status >= 500 && status <= 599) return true;
  if ((on & B['gateway-error']) !== 0 && (status === 502 || status === 503 || status === 504)) return true;
  if ((on & B['retriable-4xx']) !== 0 && status === 409) return true;
  if ((on & B['retriable-status-codes']) !== 0 && plan.retriableStatusCodes.includes(status)) return true;
  if (!header) return false;
  if ((on & B['envoy-ratelimited']) !== 0 && header('x-envoy-ratelimited') !== undefined) return true;
  if ((on & B['retriable-headers']) !== 0) {
    for (const m of plan.retriableHeaders) if (headerMatches(m, header(m.name))) return true;
  }
  const grpc = header('grpc-status');
  if (grpc !== undefined) {
    const bit = GRPC_BITS[grpc];
    if (bit !== undefined && (on & bit) !== 0) return true;
  }
  return false;
}
