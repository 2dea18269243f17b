/** Reconnection backoff: geometric growth, jitter, a bound, reset. */
import { ExponentialBackoff } from '../../runtime/proxy/xds-client';

describe('ExponentialBackoff', () => {
  test('grows by the multiplier up to maxMs; jitter takes at most its share off', () => {
    const high = new ExponentialBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const low = new ExponentialBackoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
  });

  test('stays within [ceiling * (1 - jitter), min(ceiling, max)] with real randomness, and reset starts over', () => {
    const b = new ExponentialBackoff({ initialMs: 10, maxMs: 80 });
    for (let i = 0; i < 50; i++) {
      const ceiling = Math.min(80, 10 * 2 ** i);
      const d = b.next();
      expect(d).toBeLessThanOrEqual(ceiling);
      expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
    }
    expect(b.attempts).toBe(50);
    b.reset();
    expect(b.next()).toBeLessThanOrEqual(10);
  });

  test('defaults are Envoy-like (500 ms, 30 s) and bad options are refused', () => {
    const b = new ExponentialBackoff();
    expect([b.initialMs, b.maxMs, b.multiplier]).toEqual([500, 30_000, 2]);
    expect(() => new ExponentialBackoff({ initialMs: 0 })).toThrow('backoff: initialMs must be > 0 (got 0)');
    expect(() => new ExponentialBackoff({ initialMs: 100, maxMs: 50 })).toThrow('backoff: maxMs must be >= initialMs 100 (got 50)');
    expect(() => new ExponentialBackoff({ jitter: 2 })).toThrow('backoff: jitter must be within [0, 1] (got 2)');
  });
});
