/**
 * `meshform up --watch`: notices changes below a few directories (the stack
 * sources: `stacks/` and `constructs/` when run from a project, or the
 * manifest directory with `--dir`) and calls back once per burst of changes.
 *
 * One non-recursive `fs.watch` per directory, re-scanned after each burst so new
 * directories are watched too: Node 20's recursive watcher on Linux loses a file
 * once an editor has replaced it by a rename, a directory watcher does not.
 * Hidden directories, `node_modules` and `lib` are not watched. Callbacks never
 * overlap: a burst during a running callback runs it once more afterwards.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Quiet time that ends a burst of changes. */
export const DEFAULT_WATCH_SETTLE_MS = 300;
const SKIPPED = new Set(['node_modules', 'lib', 'dist']);

export interface SourceWatcherProps {
  readonly directories: readonly string[];
  /** Called after each burst with the files that changed (relative to the cwd). */
  readonly onChange: (files: readonly string[]) => Promise<void> | void;
  /** @default 300 */
  readonly settleMs?: number;
  /** Files whose changes are ignored, e.g. the synthesized output. @default none */
  readonly ignore?: (file: string) => boolean;
}

export class SourceWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  public constructor(private readonly props: SourceWatcherProps) {
    for (const d of props.directories) this.watchTree(path.resolve(d));
  }

  /** The directories watched now. */
  public get watched(): readonly string[] {
    return [...this.watchers.keys()];
  }

  public close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private watchTree(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      const w = fs.watch(dir, (_event, name) => this.event(name ? path.join(dir, name.toString()) : dir));
      w.on('error', () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) this.watchTree(path.join(dir, e.name));
    }
  }

  private event(file: string): void {
    if (this.closed || this.props.ignore?.(file) || /(~|\.swp|\.tmp)$/.test(file)) return;
    this.changed.add(path.relative(process.cwd(), file) || file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.props.settleMs ?? DEFAULT_WATCH_SETTLE_MS);
  }

  private fire(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    const files = [...this.changed].sort();
    this.changed.clear();
    // Directories created during the burst get their own watchers.
    for (const d of [...this.watchers.keys()]) this.watchTree(d);
    for (const f of files) {
      const full = path.resolve(f);
      if (fs.existsSync(full) && fs.statSync(full).isDirectory()) this.watchTree(full);
    }
    this.running = (async () => {
      try {
        await this.props.onChange(files);
      } finally {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.fire();
        }
      }
    })();
  }
}

/**
 * What `--watch` watches for an app file: its directory, and `constructs/` next
 * to it when the app sits in a project's `stacks/` (this repository's layout).
 */
export function stackSourceDirectories(app: string): string[] {
  const dir = path.dirname(path.resolve(app));
  const dirs = [dir];
  const constructs = path.join(path.dirname(dir), 'constructs');
  if (fs.existsSync(constructs) && fs.statSync(constructs).isDirectory()) dirs.push(constructs);
  return dirs;
}
