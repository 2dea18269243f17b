/**
 * The file source: every YAML file below a directory (multi-document), read,
 * validated and watched.
 *
 * - An invalid object is reported (file, document, kind, namespace/name, field)
 *   and its last good version, if any, keeps being served.
 * - A file that does not parse keeps serving what it served before.
 * - Changes are read after the directory has been quiet for `settleMs`, so a file
 *   written in steps (truncate, then write) is read once, whole.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ManifestFileError, findYamlFiles, parseYamlDocuments } from './yaml-files';
import { ConfigObject, keyOf } from './config-object';
import { ConfigProblem, configProblem } from './config-problem';
import type { ConfigSink, ConfigSource, SourceEvents, SourceState } from './config-source';
import { readManifest } from './manifest-reader';

export interface FileConfigSourceProps {
  /** The directory to read (every `*.yaml`/`*.yml` below it). */
  readonly directory: string;
  /** Namespace of objects that name none. @default 'default' */
  readonly defaultNamespace?: string;
  /** Quiet time after file events before reading, in milliseconds. @default 100 */
  readonly settleMs?: number;
  /** Whether to watch the directory for changes after the first read. @default true */
  readonly watch?: boolean;
  /** Called when watching fails (the directory vanished, ...). @default ignore */
  readonly onWatchError?: (error: Error) => void;
  /**
   * Watch with one recursive watcher (where the platform supports it) instead of one
   * watcher per directory. Node 20's recursive watcher on Linux loses a file once it has
   * been replaced by a rename (how editors and atomic writers save), hence the default.
   * @default false
   */
  readonly recursiveWatch?: boolean;
  /** Called on every raw file event, before settling (diagnostics and tests). @default none */
  readonly onFileEvent?: (file: string | undefined) => void;
}

interface FileState {
  /** Text last read; a file whose text did not change is not parsed again. */
  readonly text: string;
  readonly objects: readonly ConfigObject[];
  readonly problems: readonly ConfigProblem[];
}

export const DEFAULT_SETTLE_MS = 100;

export class FileConfigSource implements ConfigSource {
  public readonly name: string;
  private readonly directory: string;
  private readonly defaultNamespace: string;
  private readonly settleMs: number;
  private readonly watchEnabled: boolean;
  private readonly files = new Map<string, FileState>();
  /** Every object served after the last read, by key: the "last good" versions. */
  private served = new Map<string, ConfigObject>();
  private watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** File events since the last read: when the first and the last came. */
  private events: { firstAt: number; lastAt: number } | undefined;
  private sink: ConfigSink | undefined;
  private stopped = false;

  public constructor(private readonly props: FileConfigSourceProps) {
    this.directory = path.resolve(props.directory);
    this.defaultNamespace = props.defaultNamespace ?? 'default';
    this.settleMs = props.settleMs ?? DEFAULT_SETTLE_MS;
    this.watchEnabled = props.watch ?? true;
    this.name = `file:${this.directory}`;
  }

  public async start(sink: ConfigSink): Promise<void> {
    this.sink = sink;
    sink.update(this.name, this.read());
    if (this.watchEnabled) this.startWatching();
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** Reads the directory now and pushes the result to the store (what a settled file event does). */
  public refresh(): void {
    const events: SourceEvents | undefined = this.events;
    this.events = undefined;
    if (this.sink && !this.stopped) this.sink.update(this.name, { ...this.read(), ...(events ? { events } : {}) });
  }

  /** Reads the directory now and returns the state (what `start` and each settled change push). */
  public read(): SourceState {
    let files: string[];
    try {
      files = findYamlFiles([this.directory]);
    } catch (e) {
      const problem = configProblem({
        source: this.name,
        file: this.directory,
        errors: [e instanceof Error ? e.message : String(e)],
        keptLastGood: this.served.size > 0,
      });
      return { objects: [...this.served.values()], problems: [problem] };
    }
    const present = new Set(files);
    for (const file of [...this.files.keys()]) if (!present.has(file)) this.files.delete(file);
    for (const file of files) this.readFile(file);
    const objects = new Map<string, ConfigObject>();
    const problems: ConfigProblem[] = [];
    for (const file of files) {
      const state = this.files.get(file);
      if (!state) continue;
      problems.push(...state.problems);
      for (const o of state.objects) {
        const key = keyOf(o);
        const other = objects.get(key);
        if (other && other.origin.file !== o.origin.file) {
          problems.push(configProblem({
            source: this.name, file: o.origin.file, index: o.origin.index, kind: o.kind, namespace: o.namespace, name: o.name,
            errors: [`metadata.name: duplicate of ${other.origin.file}#${other.origin.index}; this one is served`],
            keptLastGood: false,
          }));
        }
        objects.set(key, o);
      }
    }
    this.served = objects;
    return { objects: [...objects.values()], problems };
  }

  private readFile(file: string): void {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.files.delete(file);
      return; // unreadable for now: keep what it had
    }
    const previous = this.files.get(file);
    if (previous && previous.text === text) return;
    let documents;
    try {
      documents = parseYamlDocuments(text, file);
    } catch (e) {
      const kept = previous?.objects ?? [];
      const line = e instanceof ManifestFileError ? e.line : undefined;
      const message = e instanceof Error ? e.message.replace(`${file}:`, '').replace(/^\d+:\d+: /, '') : String(e);
      const problem = configProblem({
        source: this.name, file, line,
        errors: [`YAML parse error${line !== undefined ? ` at line ${line}` : ''}: ${message}`],
        keptLastGood: kept.length > 0,
      });
      this.files.set(file, { text, objects: kept, problems: [problem] });
      return;
    }
    const objects: ConfigObject[] = [];
    const problems: ConfigProblem[] = [];
    for (const doc of documents) {
      const result = readManifest(doc.object, { source: this.name, file, index: doc.index }, this.defaultNamespace);
      if (result.type === 'object') objects.push(result.object);
      else if (result.type === 'invalid') {
        const key = result.kind !== undefined && result.name !== undefined ? `${result.kind}/${result.namespace}/${result.name}` : undefined;
        const lastGood = key !== undefined ? this.served.get(key) : undefined;
        if (lastGood) objects.push(lastGood);
        problems.push(configProblem({
          source: this.name, file, index: doc.index, kind: result.kind, namespace: result.namespace, name: result.name,
          errors: result.errors, keptLastGood: lastGood !== undefined,
        }));
      }
    }
    this.files.set(file, { text, objects, problems });
  }

  private startWatching(): void {
    const onEvent = (_type: string, file: string | Buffer | null): void => {
      this.props.onFileEvent?.(file === null ? undefined : String(file));
      this.schedule();
    };
    const onError = (e: Error): void => this.props.onWatchError?.(e);
    try {
      if (this.props.recursiveWatch !== true) throw new Error('per-directory watching requested');
      const w = fs.watch(this.directory, { recursive: true }, onEvent);
      w.on('error', onError);
      this.watchers.push(w);
    } catch {
      // Recursive watching unsupported here: one watcher per directory, renewed on each read.
      this.watchDirectories(onEvent, onError);
    }
  }

  private watchDirectories(onEvent: (type: string, file: string | Buffer | null) => void, onError: (e: Error) => void): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    const dirs = [this.directory];
    for (let i = 0; i < dirs.length; i++) {
      try {
        for (const entry of fs.readdirSync(dirs[i] as string, { withFileTypes: true })) {
          if (entry.isDirectory() && !entry.name.startsWith('.')) dirs.push(path.join(dirs[i] as string, entry.name));
        }
        const w = fs.watch(dirs[i] as string, onEvent);
        w.on('error', onError);
        this.watchers.push(w);
      } catch (e) {
        onError(e as Error);
      }
    }
    this.perDirectory = { onEvent, onError };
  }

  private perDirectory: { onEvent: (type: string, file: string | Buffer | null) => void; onError: (e: Error) => void } | undefined;

  private schedule(): void {
    if (this.stopped) return;
    const at = Date.now();
    if (this.events) this.events.lastAt = at;
    else this.events = { firstAt: at, lastAt: at };
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.perDirectory) this.watchDirectories(this.perDirectory.onEvent, this.perDirectory.onError);
      this.refresh();
    }, this.settleMs);
  }
}
