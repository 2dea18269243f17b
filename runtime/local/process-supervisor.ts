/**
 * The child processes of a local mesh, started and stopped as one set.
 *
 * - Children are spawned attached (`detached: false`: same process group, so a
 *   terminal's Ctrl-C reaches them too) with stdout and stderr piped into a log
 *   file each, and the last lines kept in memory for crash reports.
 * - A child that exits while the set is not stopping is "unexpected": the
 *   handlers given to {@link ProcessSupervisor.onUnexpectedExit} hear which one,
 *   how it ended and its last output lines; the owner then stops the rest.
 * - {@link ProcessSupervisor.stopAll} sends SIGTERM to every running child,
 *   SIGKILL to those still running after the grace period, and resolves once
 *   every child has exited.
 * - If the owning process exits without stopping them, an `exit` hook kills the
 *   remaining children (SIGKILL, synchronously); if it is killed outright, the
 *   orphan guard preloaded into each child stops it (see `orphan-guard.ts`).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Lines of output kept per child for crash reports. */
export const KEPT_LINES = 20;
/** How long children get between SIGTERM and SIGKILL. @default */
export const DEFAULT_STOP_GRACE_MS = 3000;

export interface ChildSpec {
  /** Unique name in reports and log file names, e.g. `proxy reviews-v2-local-00001`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the owner's environment. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** File both streams are appended to. @default none */
  readonly logFile?: string;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface UnexpectedExit extends ChildExit {
  readonly child: SupervisedProcess;
  /** The last lines the child wrote (stdout and stderr). */
  readonly lastLines: readonly string[];
}

/** Describes how a child ended: `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
}

export class SupervisedProcess {
  /** Resolves when the child has exited (or failed to start). */
  public readonly exited: Promise<ChildExit>;
  private readonly lines: string[] = [];
  private readonly partial = { out: '', err: '' };
  private readonly lineListeners: Array<(line: string, stream: 'out' | 'err') => void> = [];
  private exitInfo: ChildExit | undefined;

  public constructor(public readonly spec: ChildSpec, private readonly child: ChildProcess, log: fs.WriteStream | undefined) {
    this.exited = new Promise((resolve) => {
      let done = false;
      const finish = (exit: ChildExit): void => {
        if (done) return;
        done = true;
        this.flush();
        this.exitInfo = exit;
        log?.end();
        resolve(exit);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (e) => {
        this.lines.push(`failed to start: ${e.message}`);
        finish({ code: null, signal: null });
      });
    });
    const take = (stream: 'out' | 'err') => (chunk: Buffer): void => {
      log?.write(chunk);
      const text = this.partial[stream] + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial[stream] = parts.pop() ?? '';
      for (const line of parts) this.line(line, stream);
    };
    child.stdout?.on('data', take('out'));
    child.stderr?.on('data', take('err'));
  }

  public get name(): string {
    return this.spec.name;
  }

  public get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the child ended, once it has. */
  public get exit(): ChildExit | undefined {
    return this.exitInfo;
  }

  /** Whether the child is still running. */
  public get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines of output (stdout and stderr interleaved as they came). */
  public lastLines(n = KEPT_LINES): string[] {
    return this.lines.slice(-n);
  }

  /** Calls `listener` with every complete line of output from now on. */
  public onLine(listener: (line: string, stream: 'out' | 'err') => void): void {
    this.lineListeners.push(listener);
  }

  /** Sends `signal` if the child is still running. */
  public kill(signal: NodeJS.Signals): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  private line(line: string, stream: 'out' | 'err'): void {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES * 2) this.lines.splice(0, this.lines.length - KEPT_LINES);
    for (const l of this.lineListeners) l(line, stream);
  }

  private flush(): void {
    for (const stream of ['out', 'err'] as const) {
      if (this.partial[stream] !== '') this.line(this.partial[stream], stream);
      this.partial[stream] = '';
    }
  }
}

export class ProcessSupervisor {
  private readonly children: SupervisedProcess[] = [];
  private readonly unexpected: Array<(exit: UnexpectedExit) => void> = [];
  private stopping: Promise<void> | undefined;
  private readonly onOwnerExit = (): void => {
    for (const c of this.children) c.kill('SIGKILL');
  };

  public constructor() {
    process.on('exit', this.onOwnerExit);
  }

  /** Every child started, in order. */
  public get processes(): readonly SupervisedProcess[] {
    return this.children;
  }

  /** Whether {@link stopAll} has been called. */
  public get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Calls `handler` when a child exits while the set is not being stopped. */
  public onUnexpectedExit(handler: (exit: UnexpectedExit) => void): void {
    this.unexpected.push(handler);
  }

  /** Starts a child; throws once the set is stopping. */
  public start(spec: ChildSpec): SupervisedProcess {
    if (this.stopping) throw new Error(`cannot start ${spec.name}: the processes are being stopped`);
    let log: fs.WriteStream | undefined;
    if (spec.logFile) {
      fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
      log = fs.createWriteStream(spec.logFile, { flags: 'a' });
    }
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      // Read by the orphan guard: the parent it must outlive no longer than briefly.
      env: { ...process.env, ...(spec.env ?? {}), MESHFORM_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    const supervised = new SupervisedProcess(spec, child, log);
    this.children.push(supervised);
    void supervised.exited.then((exit) => {
      if (this.stopping) return;
      const report: UnexpectedExit = { ...exit, child: supervised, lastLines: supervised.lastLines() };
      for (const h of this.unexpected) h(report);
    });
    return supervised;
  }

  /**
   * Stops every child: SIGTERM, then SIGKILL after `graceMs` for those still
   * running. Resolves once all have exited. Calling it again returns the same promise.
   */
  public stopAll(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      const running = this.children.filter((c) => c.running);
      for (const c of running) c.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killLate = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const c of running) c.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([Promise.all(running.map((c) => c.exited)), killLate]);
      await Promise.all(running.map((c) => c.exited));
      if (timer) clearTimeout(timer);
      process.off('exit', this.onOwnerExit);
    })();
    return this.stopping;
  }
}
