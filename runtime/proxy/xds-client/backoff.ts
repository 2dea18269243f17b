/**
 * Exponential backoff with jitter between attempts to reach the control plane.
 * The n-th delay (from 0) is drawn from `[c * (1 - jitter), c]` where
 * `c = min(maxMs, initialMs * multiplier^n)`: it grows geometrically, never
 * exceeds `maxMs`, and spreads reconnecting proxies apart so a restarted control
 * plane is not hit by all of them at once.
 */

export interface BackoffOptions {
  /** Ceiling of the first delay. @default 500 (Envoy's xDS retry base interval) */
  readonly initialMs?: number;
  /** Bound of every delay. @default 30000 (Envoy's xDS retry maximum) */
  readonly maxMs?: number;
  /** Growth of the ceiling per attempt. @default 2 */
  readonly multiplier?: number;
  /** Share of the ceiling that is random, 0 (none) to 1 (full jitter). @default 0.5 */
  readonly jitter?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF_INITIAL_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

export class ExponentialBackoff {
  public readonly initialMs: number;
  public readonly maxMs: number;
  public readonly multiplier: number;
  public readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  public constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
    this.maxMs = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    this.multiplier = options.multiplier ?? 2;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
    const fail = (what: string, got: number): never => {
      throw new Error(`backoff: ${what} (got ${got})`);
    };
    if (!(this.initialMs > 0)) fail('initialMs must be > 0', this.initialMs);
    if (!(this.maxMs >= this.initialMs)) fail(`maxMs must be >= initialMs ${this.initialMs}`, this.maxMs);
    if (!(this.multiplier >= 1)) fail('multiplier must be >= 1', this.multiplier);
    if (!(this.jitter >= 0 && this.jitter <= 1)) fail('jitter must be within [0, 1]', this.jitter);
  }

  /** Attempts since the last reset. */
  public get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt, in milliseconds. */
  public next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * Math.pow(this.multiplier, this.attempt));
    this.attempt += 1;
    const delay = ceiling * (1 - this.jitter * this.random());
    return Math.max(1, Math.min(this.maxMs, Math.round(delay)));
  }

  /** Starts over from `initialMs` (after a successful connection). */
  public reset(): void {
    this.attempt = 0;
  }
}
