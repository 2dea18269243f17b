/**
 * Time for the cluster stage: the current time and repeating timers, behind an
 * interface so outlier detection runs on a {@link ManualClock} in tests (no real waits).
 */

/** A running timer; `cancel()` stops it. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `fn` every `intervalMs` until cancelled. */
  every(intervalMs: number, fn: () => void): TimerHandle;
}

/** The process clock (`performance.now()`), with unref'd timers so they never keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  every(intervalMs: number, fn: () => void): TimerHandle {
    const t = setInterval(fn, intervalMs);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

interface ManualTimer {
  readonly intervalMs: number;
  readonly fn: () => void;
  due: number;
  cancelled: boolean;
}

/** A clock that moves only when told to; timers fire in due order inside {@link advance}. */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers: ManualTimer[] = [];

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { intervalMs: Math.max(1, intervalMs), fn, due: this.time + Math.max(1, intervalMs), cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.due <= end && (!next || t.due < next.due)) next = t;
      if (!next) break;
      this.time = next.due;
      next.due += next.intervalMs;
      next.fn();
    }
    this.time = end;
  }

  /** Number of live timers (tests check that `close()` stops them). */
  get pendingTimers(): number {
    return this.timers.length;
  }
}
