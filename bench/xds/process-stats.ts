/**
 * Memory and CPU of a process, read from Linux's /proc: resident set
 * (`VmRSS`), its peak (`VmHWM`) and CPU seconds (`utime + stime` of
 * /proc/PID/stat), sampled periodically so peaks between reads are not lost.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

export interface ProcessSample {
  readonly at: number;
  readonly rssMb: number;
  /** Peak resident set since the process started (the kernel's high-water mark). */
  readonly hwmMb: number;
  readonly cpuSeconds: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** One sample of `pid`, or undefined once the process is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    // Fields after the parenthesised command name: state is field 3; utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      at: Date.now(),
      rssMb: kb('VmRSS') / 1024,
      hwmMb: kb('VmHWM') / 1024,
      cpuSeconds: (utime + stime) / ticksPerSecond(),
    };
  } catch {
    return undefined;
  }
}

/** Samples a process every `intervalMs` and keeps the peak and the latest sample. */
export class ProcessMonitor {
  public latest: ProcessSample | undefined;
  public peakRssMb = 0;
  private readonly timer: NodeJS.Timeout;

  public constructor(public readonly pid: number, intervalMs = 200) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes a sample now and returns it (the previous one when the process is gone). */
  public sample(): ProcessSample | undefined {
    const s = sampleProcess(this.pid);
    if (s) {
      this.latest = s;
      this.peakRssMb = Math.max(this.peakRssMb, s.rssMb, s.hwmMb);
    }
    return this.latest;
  }

  public stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
