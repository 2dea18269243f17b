/**
 * The one store of the control plane: sources push their state into it, it keeps
 * an immutable snapshot of everything, and tells listeners what changed (kinds
 * and keys) so the server can push only what matters.
 */
import { ConfigObject, keyOf } from './config-object';
import type { ConfigProblem } from './config-problem';
import { ConfigSnapshot } from './config-snapshot';
import type { ConfigSink, ConfigSource, SourceEvents, SourceState } from './config-source';

/** What one store update changed. */
export interface ConfigChange {
  readonly snapshot: ConfigSnapshot;
  readonly previous: ConfigSnapshot;
  /** Kinds with at least one added, updated or removed object. */
  readonly kinds: ReadonlySet<string>;
  /** Keys (`Kind/ns/name`) added, updated or removed. */
  readonly keys: ReadonlySet<string>;
  readonly added: readonly string[];
  readonly updated: readonly string[];
  readonly removed: readonly string[];
  /** The source events behind the change, when its source told (see `SourceState.events`). */
  readonly events?: SourceEvents;
}

export type ChangeListener = (change: ConfigChange) => void;
export type ProblemListener = (problems: readonly ConfigProblem[], source: string) => void;

export class ConfigStore implements ConfigSink {
  private current: ConfigSnapshot = ConfigSnapshot.EMPTY;
  private readonly states = new Map<string, SourceState>();
  private readonly sources: ConfigSource[] = [];
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly problemListeners = new Set<ProblemListener>();

  /** The current snapshot (a new object after every change). */
  public snapshot(): ConfigSnapshot {
    return this.current;
  }

  /** Calls `listener` after each change; returns a function that unsubscribes. */
  public onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Calls `listener` whenever a source reports problems (an update with none reports nothing). */
  public onProblems(listener: ProblemListener): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Starts `source` feeding this store; resolves once its initial state is in. */
  public async addSource(source: ConfigSource): Promise<void> {
    if (this.sources.some((s) => s.name === source.name)) throw new Error(`config store: a source named '${source.name}' is already added`);
    this.sources.push(source);
    await source.start(this);
  }

  /** Stops every source. */
  public async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  /** @internal the sink side: replaces what `source` contributed. */
  public update(source: string, state: SourceState): void {
    this.states.set(source, state);
    const problems = [...this.states.values()].flatMap((s) => s.problems);
    if (state.problems.length > 0) for (const l of this.problemListeners) l(state.problems, source);
    const objects: ConfigObject[] = [...this.states.values()].flatMap((s) => s.objects);
    const previous = this.current;
    const next = new Map<string, ConfigObject>();
    for (const o of objects) next.set(keyOf(o), o);
    const added: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    for (const [key, o] of next) {
      const before = previous.byKeyOf(key);
      if (!before) added.push(key);
      else if (!sameContent(before, o)) updated.push(key);
    }
    for (const key of previous.keys()) if (!next.has(key)) removed.push(key);
    const changed = added.length + updated.length + removed.length > 0;
    if (!changed && sameProblems(previous.problems, problems)) return;
    // Unchanged objects keep their identity in the new snapshot.
    const fresh = new Set([...added, ...updated]);
    const kept = [...next.entries()].map(([key, o]) => (fresh.has(key) ? o : previous.byKeyOf(key) ?? o));
    this.current = ConfigSnapshot.of(kept, previous.version + 1, problems);
    if (!changed) return;
    const keys = new Set([...added, ...updated, ...removed]);
    const kinds = new Set([...keys].map((k) => k.slice(0, k.indexOf('/'))));
    const change: ConfigChange = {
      snapshot: this.current, previous, kinds, keys, added, updated, removed, ...(state.events ? { events: state.events } : {}),
    };
    for (const l of this.changeListeners) l(change);
  }
}

function sameContent(a: ConfigObject, b: ConfigObject): boolean {
  return a === b || JSON.stringify(a.manifest) === JSON.stringify(b.manifest);
}

function sameProblems(a: readonly ConfigProblem[], b: readonly ConfigProblem[]): boolean {
  return a.length === b.length && a.every((p, i) => p.message === b[i]?.message);
}
