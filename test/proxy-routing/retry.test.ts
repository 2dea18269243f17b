/** Retry policy: retry_on parsing, retryable outcomes, backoff bounds. */
import {
  AttemptOutcome, RetryOnBits, RetryPlan, backoffMs, compileRetryPolicy, parseRetryOn, retryable, seededRandom,
} from '../../runtime/proxy/routing';
import { decode, forward, request, table } from './helpers';

function plan(policy: Record<string, unknown>): { retry: RetryPlan } {
  const d = forward(table([{ match: { prefix: '/' }, route: { cluster: 'c', retry_policy: policy } }]).route(request()));
  if (!d.retry) throw new Error('no retry plan');
  return { retry: d.retry };
}
const response = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({ kind: 'response', status, header: (n) => headers[n] });

describe('parseRetryOn', () => {
  it('parses text and lists to bits, ignoring blanks and unknown names', () => {
    expect(parseRetryOn('5xx, connect-failure,,')).toBe(RetryOnBits['5xx'] | RetryOnBits['connect-failure']);
    expect(parseRetryOn(['gateway-error', 'retriable-status-codes', 'nope'])).toBe(RetryOnBits['gateway-error'] | RetryOnBits['retriable-status-codes']);
    expect(parseRetryOn('')).toBe(0);
  });

  it('is compiled once into the decision', () => {
    const p = plan({ retry_on: 'reset,refused-stream', num_retries: 2, per_try_timeout: '0.25s' }).retry;
    expect(p).toMatchObject({ retryOn: RetryOnBits.reset | RetryOnBits['refused-stream'], numRetries: 2, perTryTimeoutMs: 250 });
  });
});

describe('retryable', () => {
  it('5xx retries any 5xx and every failure without a response', () => {
    const p = plan({ retry_on: '5xx', num_retries: 2 });
    expect(retryable(p, response(500))).toBe(true);
    expect(retryable(p, response(503))).toBe(true);
    expect(retryable(p, response(404))).toBe(false);
    for (const kind of ['reset', 'connectFailure', 'refusedStream', 'perTryTimeout'] as const) expect(retryable(p, { kind })).toBe(true);
  });

  it('gateway-error retries 502, 503, 504 only among responses', () => {
    const p = plan({ retry_on: 'gateway-error' });
    expect([500, 502, 503, 504].map((s) => retryable(p, response(s)))).toEqual([false, true, true, true]);
    expect(retryable(p, { kind: 'reset' })).toBe(true);
  });

  it('connect-failure, refused-stream, reset and reset-before-request pick their failures', () => {
    const cf = plan({ retry_on: 'connect-failure' });
    expect(retryable(cf, { kind: 'connectFailure' })).toBe(true);
    expect(retryable(cf, { kind: 'reset' })).toBe(false);
    expect(retryable(cf, response(503))).toBe(false);
    const rs = plan({ retry_on: 'refused-stream' });
    expect(retryable(rs, { kind: 'refusedStream' })).toBe(true);
    expect(retryable(rs, { kind: 'connectFailure' })).toBe(false);
    const reset = plan({ retry_on: 'reset' });
    expect(retryable(reset, { kind: 'reset' })).toBe(true);
    expect(retryable(reset, { kind: 'perTryTimeout' })).toBe(false);
    expect(retryable(reset, response(503))).toBe(false);
    const before = plan({ retry_on: 'reset-before-request' });
    expect(retryable(before, { kind: 'reset', requestSent: false })).toBe(true);
    expect(retryable(before, { kind: 'reset', requestSent: true })).toBe(false);
  });

  it('retriable-4xx retries 409; retriable-status-codes retries the listed codes', () => {
    expect(retryable(plan({ retry_on: 'retriable-4xx' }), response(409))).toBe(true);
    expect(retryable(plan({ retry_on: 'retriable-4xx' }), response(429))).toBe(false);
    const codes = plan({ retry_on: 'retriable-status-codes', retriable_status_codes: [429, 503] });
    expect(retryable(codes, response(429))).toBe(true);
    expect(retryable(codes, response(500))).toBe(false);
    expect(retryable(plan({ retry_on: '5xx', retriable_status_codes: [429] }), response(429))).toBe(false);
  });

  it('retriable-headers retries responses whose headers match', () => {
    const p = plan({ retry_on: 'retriable-headers', retriable_headers: [{ name: 'x-retry', exact_match: 'yes' }] });
    expect(retryable(p, response(200, { 'x-retry': 'yes' }))).toBe(true);
    expect(retryable(p, response(200, { 'x-retry': 'no' }))).toBe(false);
    expect(retryable(p, response(200))).toBe(false);
  });

  it('retries gRPC statuses and rate-limited responses when asked, never overloaded ones', () => {
    expect(retryable(plan({ retry_on: 'unavailable' }), response(200, { 'grpc-status': '14' }))).toBe(true);
    expect(retryable(plan({ retry_on: 'cancelled' }), response(200, { 'grpc-status': '14' }))).toBe(false);
    expect(retryable(plan({ retry_on: 'envoy-ratelimited' }), response(429, { 'x-envoy-ratelimited': 'true' }))).toBe(true);
    expect(retryable(plan({ retry_on: '5xx' }), response(503, { 'x-envoy-overloaded': 'true' }))).toBe(false);
  });

  it('stops once num_retries are spent, and never retries without a policy', () => {
    const p = plan({ retry_on: '5xx', num_retries: 2 });
    expect(retryable(p, response(503), 1)).toBe(true);
    expect(retryable(p, response(503), 2)).toBe(false);
    expect(retryable({}, response(503))).toBe(false);
  });
});

describe('backoff', () => {
  it("defaults to Envoy's 25 ms base and 250 ms cap", () => {
    const p = plan({ retry_on: '5xx' }).retry;
    expect([p.baseIntervalMs, p.maxIntervalMs]).toEqual([25, 250]);
  });

  it('is fully jittered below (2^n − 1) × base, capped at max', () => {
    const p = plan({ retry_on: '5xx', retry_back_off: { base_interval: '0.1s', max_interval: '0.5s' } }).retry;
    expect(p.nextBackoff(1, () => 0)).toBe(0);
    expect(p.nextBackoff(1, () => 0.999999)).toBe(99);
    expect(p.nextBackoff(2, () => 0.999999)).toBe(299);
    expect(p.nextBackoff(3, () => 0.999999)).toBe(499);
    expect(p.nextBackoff(40, () => 0.999999)).toBe(499);
    const random = seededRandom(3);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const ceiling = Math.min((2 ** attempt - 1) * 25, 250);
      for (let i = 0; i < 200; i++) {
        const b = backoffMs(25, 250, attempt, random);
        if (b < 0 || b >= ceiling) throw new Error(`attempt ${attempt}: ${b} outside [0, ${ceiling})`);
      }
    }
  });

  it('compiles a decoded policy directly', () => {
    const vh = decode({ name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], retry_policy: { retry_on: '5xx', num_retries: 3 }, routes: [] }] }).virtualHosts[0];
    expect(compileRetryPolicy(vh!.retryPolicy!)).toMatchObject({ retryOn: RetryOnBits['5xx'], numRetries: 3 });
  });
});
