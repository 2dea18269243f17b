/**
 * Proxy side: keeps a workload certificate fresh. The first certificate is
 * fetched on `start()`; each next one is requested at half the current one's
 * life (Istio's default grace ratio), retried with bounded exponential backoff
 * on failure. Time comes from an injectable clock so tests step it.
 */

/** Timers and time, injectable for tests. */
export interface RotationClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The real clock; its timers do not keep the process alive. */
export const SYSTEM_CLOCK: RotationClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What rotation needs to know of a certificate. */
export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** When to renew: `notBefore + ratio × (notAfter − notBefore)`. */
export function renewalTime(cert: Validity, ratio = 0.5): Date {
  if (!(ratio > 0 && ratio < 1)) throw new Error(`renewal ratio: expected a number in (0, 1) (got ${ratio})`);
  const start = cert.notBefore.getTime();
  return new Date(start + Math.floor((cert.notAfter.getTime() - start) * ratio));
}

export interface CertificateRotationProps<C extends Validity> {
  /** Obtains a new certificate (new key, CSR, CA call). */
  readonly issue: () => Promise<C>;
  /** Called with every certificate obtained, the first included. @default - none */
  readonly onIssued?: (cert: C) => void;
  /** Called when a renewal fails; it is retried. @default - none */
  readonly onError?: (error: Error, attempt: number) => void;
  /** @default SYSTEM_CLOCK */
  readonly clock?: RotationClock;
  /** Fraction of the lifetime after which to renew. @default 0.5 */
  readonly renewAtRatio?: number;
  /** First retry delay after a failed renewal. @default 1000 */
  readonly retryInitialMs?: number;
  /** Longest retry delay. @default 60000 */
  readonly retryMaxMs?: number;
}

// setTimeout's longest delay; longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CertificateRotation<C extends Validity> {
  private readonly clock: RotationClock;
  private readonly ratio: number;
  private timer: unknown;
  private cert: C | undefined;
  private renewAt: number | undefined;
  private stopped = false;
  private failures = 0;

  constructor(private readonly props: CertificateRotationProps<C>) {
    this.clock = props.clock ?? SYSTEM_CLOCK;
    this.ratio = props.renewAtRatio ?? 0.5;
    renewalTime({ notBefore: new Date(0), notAfter: new Date(1) }, this.ratio);
  }

  /** The certificate in use, once the first one arrived. */
  get current(): C | undefined {
    return this.cert;
  }

  /** When the next renewal (or retry) is due. */
  get nextRenewal(): Date | undefined {
    return this.renewAt === undefined ? undefined : new Date(this.renewAt);
  }

  /** Obtains the first certificate and schedules its renewal; rejects if the first issuance fails. */
  async start(): Promise<C> {
    this.stopped = false;
    const cert = await this.props.issue();
    this.accept(cert);
    return cert;
  }

  /** Renews at once (e.g. after the trust bundle changed). */
  async renewNow(): Promise<C> {
    const cert = await this.props.issue();
    this.accept(cert);
    return cert;
  }

  /** Cancels the pending renewal. */
  stop(): void {
    this.stopped = true;
    this.cancel();
    this.renewAt = undefined;
  }

  private accept(cert: C): void {
    this.cert = cert;
    this.failures = 0;
    this.props.onIssued?.(cert);
    if (!this.stopped) this.scheduleAt(renewalTime(cert, this.ratio).getTime());
  }

  private cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private scheduleAt(at: number): void {
    this.cancel();
    this.renewAt = at;
    const delay = Math.max(0, at - this.clock.now());
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      if (this.stopped) return;
      if (this.clock.now() < at) this.scheduleAt(at);
      else void this.renew();
    }, Math.min(delay, MAX_TIMER_MS));
  }

  private async renew(): Promise<void> {
    try {
      const cert = await this.props.issue();
      if (!this.stopped) this.accept(cert);
    } catch (err) {
      if (this.stopped) return;
      this.failures += 1;
      this.props.onError?.(err as Error, this.failures);
      const base = this.props.retryInitialMs ?? 1000;
      const max = this.props.retryMaxMs ?? 60_000;
      this.scheduleAt(this.clock.now() + Math.min(max, base * 2 ** (this.failures - 1)));
    }
  }
}
