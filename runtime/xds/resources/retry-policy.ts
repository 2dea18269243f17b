/** `route.v3.RetryPolicy`, on a route or a virtual host. */
import type { Message } from './private/reader';
import { HeaderMatcher, decodeHeaderMatcher } from './route-match';

/** The `retry_on` conditions Envoy knows (HTTP and gRPC). */
export const RETRY_ON = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
] as const;
export type RetryOn = (typeof RETRY_ON)[number];

export const PREVIOUS_HOSTS_PREDICATE = 'envoy.retry_host_predicates.previous_hosts';

export interface RetryBackOff {
  /** @default 25 */
  readonly baseIntervalMs: number;
  /** @default 10 × baseIntervalMs */
  readonly maxIntervalMs: number;
}

export interface RetryPolicy {
  readonly retryOn: readonly RetryOn[];
  /** @default 1 */
  readonly numRetries: number;
  /** Timeout of each attempt; the route's timeout when undefined. */
  readonly perTryTimeoutMs?: number;
  readonly perTryIdleTimeoutMs?: number;
  /** Status codes retried under `retriable-status-codes`. */
  readonly retriableStatusCodes: readonly number[];
  /** Response headers that make a response retriable under `retriable-headers`. */
  readonly retriableHeaders: readonly HeaderMatcher[];
  /** Avoid hosts already tried (Envoy's previous_hosts predicate). */
  readonly avoidPreviousHosts: boolean;
  /** @default 1 */
  readonly hostSelectionRetryMaxAttempts: number;
  readonly backOff: RetryBackOff;
}

const DEFAULT_BASE_INTERVAL_MS = 25;

function isPreviousHosts(m: Message): boolean {
  const name = m.string('name');
  const config = m.message('typed_config');
  const url = config ? String(config.fields['@type'] ?? config.fields.type_url ?? '') : '';
  return name === PREVIOUS_HOSTS_PREDICATE || url.endsWith('.PreviousHostsPredicate');
}

/** Reads a RetryPolicy. */
export function decodeRetryPolicy(m: Message): RetryPolicy {
  m.unsupported(['retry_priority', 'rate_limited_retry_back_off', 'retry_options_predicates']);
  const retryOn: RetryOn[] = [];
  const text = m.string('retry_on') ?? '';
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if ((RETRY_ON as readonly string[]).includes(part)) {
      if (!retryOn.includes(part as RetryOn)) retryOn.push(part as RetryOn);
    } else {
      m.error('retry_on', `unknown retry condition '${part}' (expected any of ${RETRY_ON.join(', ')})`);
    }
  }
  const numRetries = m.integer('num_retries') ?? 1;
  const perTryTimeoutMs = m.duration('per_try_timeout');
  const perTryIdleTimeoutMs = m.duration('per_try_idle_timeout');
  const raw = m.raw('retriable_status_codes');
  const retriableStatusCodes: number[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((code: unknown, i: number) => {
      if (typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599) retriableStatusCodes.push(code);
      else m.issues.add(`${m.at('retriable_status_codes')}[${i}]`, `expected an HTTP status code between 100 and 599, got ${String(code)}`);
    });
  } else if (raw !== undefined && raw !== null) {
    m.error('retriable_status_codes', 'expected a list of status codes');
  }
  const retriableHeaders = m.messages('retriable_headers').map(decodeHeaderMatcher).filter((h): h is HeaderMatcher => h !== undefined);
  m.unsupported(['retriable_request_headers']);
  let avoidPreviousHosts = false;
  m.messages('retry_host_predicate').forEach((p) => {
    if (isPreviousHosts(p)) avoidPreviousHosts = true;
    else p.error(undefined, `unsupported retry host predicate '${p.string('name') ?? ''}' (only ${PREVIOUS_HOSTS_PREDICATE})`);
  });
  const hostSelectionRetryMaxAttempts = m.integer('host_selection_retry_max_attempts', { max: Number.MAX_SAFE_INTEGER }) ?? 1;
  let backOff: RetryBackOff = { baseIntervalMs: DEFAULT_BASE_INTERVAL_MS, maxIntervalMs: DEFAULT_BASE_INTERVAL_MS * 10 };
  const b = m.message('retry_back_off');
  if (b) {
    const base = b.duration('base_interval', { sign: 'positive', required: true }) ?? DEFAULT_BASE_INTERVAL_MS;
    const max = b.duration('max_interval', { sign: 'positive' }) ?? base * 10;
    if (max < base) b.error('max_interval', `must be at least base_interval (got ${max}ms < ${base}ms)`);
    backOff = { baseIntervalMs: base, maxIntervalMs: Math.max(max, base) };
  }
  return {
    retryOn, numRetries,
    ...(perTryTimeoutMs !== undefined ? { perTryTimeoutMs } : {}),
    ...(perTryIdleTimeoutMs !== undefined ? { perTryIdleTimeoutMs } : {}),
    retriableStatusCodes, retriableHeaders, avoidPreviousHosts, hostSelectionRetryMaxAttempts, backOff,
  };
}
