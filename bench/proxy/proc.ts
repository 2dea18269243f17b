/**
 * What the proxy benchmarks share: free ports, waiting for a port or an HTTP
 * status, the CPU and memory of a process tree read from /proc, and how a
 * run's summary ends.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A port the OS says is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Waits (up to 20 s) until host:port accepts connections. */
export async function waitPort(port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${host}:${port} never opened`);
}

/** Status of GET http://host:port/path with Host `hostHeader`, 0 when it does not answer. */
export function httpStatus(host: string, port: number, pathname: string, hostHeader = host): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => s.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`));
    let head = '';
    s.setEncoding('latin1');
    s.setTimeout(3000, () => s.destroy());
    s.on('data', (d: string) => (head += d));
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    s.on('error', () => resolve(0));
  });
}

/** The process and all its descendants. */
export function tree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(d));
      parents.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]) ?? []));
  return out;
}

/** User + system CPU seconds of the processes and their descendants. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const p of pids.flatMap(tree)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch {
      // exited
    }
  }
  return ticks / CLK_TCK;
}

export type MemoryField = 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' | 'Pss';

/** A /proc/<pid>/status field, or `Pss` from smaps_rollup (shared file pages counted by share), summed over the trees, in MB. */
export function memoryMb(pids: readonly number[], field: MemoryField): number {
  let kb = 0;
  for (const p of pids.flatMap(tree)) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${p}/${field === 'Pss' ? 'smaps_rollup' : 'status'}`, 'utf8'));
      if (m !== null) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

/** The machine line every proxy benchmark summary starts with. */
export function machineLine(): string {
  return `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.release()}, node ${process.version}`;
}

/** Prints the summary, keeps it as `result.md` in `dir`, stops what the run started and exits. */
export function finishRun(dir: string, summary: readonly string[], stop: () => void): never {
  const text = summary.join('\n');
  console.log(text);
  fs.writeFileSync(path.join(dir, 'result.md'), text + '\n');
  stop();
  process.exit(0);
}

/** This run's command-line flags: `flag('keep')` for `--keep`, `opt('rounds', '3')` for `--rounds N`. */
export const args = {
  flag: (name: string): boolean => process.argv.slice(2).includes(`--${name}`),
  opt: (name: string, fallback: string): string => {
    const argv = process.argv.slice(2);
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? (argv[i + 1] as string) : fallback;
  },
};

/** The repository (from the sources, or from their compiled copies under lib/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}lib${path.sep}`) ? ['..'] : []));

/** The meshform command the benchmark runs: `--meshform FILE`, else the repository's bin/meshform. */
export const MESHFORM = path.resolve(args.opt('meshform', path.join(REPO_ROOT, 'bin', 'meshform')));
