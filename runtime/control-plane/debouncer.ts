/**
 * Coalesces bursts of store changes: the first change starts a quiet period of
 * `delayMs`; every change within it restarts it (up to `maxDelayMs` after the
 * first), then one merged change is delivered: the snapshot before the burst,
 * the snapshot after it, the union of changed kinds and keys, and when the
 * burst began (for convergence times).
 *
 * Quiet time counts from the change's last source event when its source tells
 * (a file source settles before it reads, so part of the quiet period has
 * already passed), and the burst begins at its first source event.
 */
import type { ConfigChange } from '../config/config-store';
import type { ConfigSnapshot } from '../config/config-snapshot';

/** Several store changes merged into one. */
export interface MergedChange {
  readonly previous: ConfigSnapshot;
  readonly snapshot: ConfigSnapshot;
  readonly kinds: ReadonlySet<string>;
  readonly keys: ReadonlySet<string>;
  /** `Date.now()` of the first change of the burst. */
  readonly firstAt: number;
  /** Number of store changes merged. */
  readonly count: number;
}

export interface DebouncerProps {
  /** Quiet time before delivering. 0 delivers on the next tick. */
  readonly delayMs: number;
  /** Longest time a change may wait while changes keep coming. @default 10 × delayMs, at least 1 s */
  readonly maxDelayMs?: number;
  readonly deliver: (change: MergedChange) => void;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

interface Pending {
  previous: ConfigSnapshot;
  snapshot: ConfigSnapshot;
  kinds: Set<string>;
  keys: Set<string>;
  firstAt: number;
  count: number;
}

export class ChangeDebouncer {
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly maxDelayMs: number;
  private readonly now: () => number;

  public constructor(private readonly props: DebouncerProps) {
    this.maxDelayMs = props.maxDelayMs ?? Math.max(1000, 10 * props.delayMs);
    this.now = props.now ?? Date.now;
  }

  /** Adds a store change to the current burst. */
  public push(change: ConfigChange): void {
    if (this.stopped) return;
    const at = this.now();
    const quietSince = Math.min(at, change.events?.lastAt ?? at);
    const firstAt = Math.min(at, change.events?.firstAt ?? at);
    if (!this.pending) {
      this.pending = { previous: change.previous, snapshot: change.snapshot, kinds: new Set(change.kinds), keys: new Set(change.keys), firstAt, count: 1 };
    } else {
      this.pending.snapshot = change.snapshot;
      for (const k of change.kinds) this.pending.kinds.add(k);
      for (const k of change.keys) this.pending.keys.add(k);
      this.pending.count += 1;
    }
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(quietSince + this.props.delayMs - at, this.pending.firstAt + this.maxDelayMs - at));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Delivers the pending burst now, if any. */
  public flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p && !this.stopped) this.props.deliver(p);
  }

  /** Drops any pending burst; nothing is delivered afterwards. */
  public stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
