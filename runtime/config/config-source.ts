/**
 * Where configuration comes from: a directory of YAML files now, a Kubernetes
 * watch later. A source pushes its whole current state to the store each time it
 * changes; the store works out what changed.
 */
import type { ConfigObject } from './config-object';
import type { ConfigProblem } from './config-problem';

/** Everything a source holds at one moment. */
export interface SourceState {
  /** Every object the source serves (invalid ones already replaced by their last good version). */
  readonly objects: readonly ConfigObject[];
  /** What the source refused in its latest read. */
  readonly problems: readonly ConfigProblem[];
  /**
   * The raw events (file writes, watch notifications) this state answers, when
   * the source waited for them to settle: `Date.now()` of the first and of the
   * last. Nothing happened since the last, so a debounce can count that quiet
   * time as its own. @default none: the state is as new as the update
   */
  readonly events?: SourceEvents;
}

/** When the raw events behind a source update came. */
export interface SourceEvents {
  readonly firstAt: number;
  readonly lastAt: number;
}

/** The receiving end of a source: the store. */
export interface ConfigSink {
  /** Replaces everything `source` contributed with `state`. */
  update(source: string, state: SourceState): void;
}

export interface ConfigSource {
  /** Unique name among the store's sources (`file:/etc/mesh`, `kubernetes`). */
  readonly name: string;
  /** Loads the initial state into `sink` (resolved once it is there), then keeps it current until `stop`. */
  start(sink: ConfigSink): Promise<void>;
  /** Stops watching; no update follows. */
  stop(): Promise<void>;
}
