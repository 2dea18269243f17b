/**
 * Control-plane benchmark driver.
 *
 * Generates a mesh of N services × 2 subsets into a temporary directory,
 * starts `meshform control-plane` on it (loopback, free ports), connects P
 * simulated sidecars (state-of-the-world ADS, subscribing as Envoy does) from
 * one or more load processes, and measures:
 * - initial convergence: time until every proxy has ACKed CDS, EDS, LDS, RDS (and VHDS);
 * - a VirtualService change (one file rewritten): per-proxy time to ACK the
 *   last push it receives, p50/p99/max, repeated `--rounds` times;
 * - an endpoint-only change (one EndpointSlice address): the same, counting
 *   pushes by type (only EDS should move);
 * - the control plane's resident set (steady and peak) and CPU seconds.
 *
 *   npx tsc -p tsconfig.json && node lib/bench/xds/run.js [--services 1000] [--proxies 2000]
 *     [--rounds 5] [--channels 20] [--load-processes 1] [--cpu-prof] [--control-plane meshform|stand-in]
 *     [--protocol sotw|delta] [--no-vhds] [--memory]
 *
 * `--memory` samples the control plane's `process.memoryUsage()` and reports
 * the peaks of its V8 heap and of its buffers beside the resident set.
 *
 * `--protocol delta` has the simulated sidecars speak incremental ADS (as
 * Envoy does with delta xDS): their ACKs carry no resource names, and the
 * control plane sends them virtual hosts one by one (VHDS) unless `--no-vhds`
 * is given; a VirtualService change then moves VHDS instead of RDS.
 *
 * Every phase has a deadline; the control plane and load processes are
 * always stopped, on errors and on SIGINT too.
 */
import { ChildProcess, fork, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  endpointSlice, endpointSliceFile, generateMesh, replaceFile, virtualService, virtualServiceFile,
} from './generate-mesh';
import { freePort, sleep } from '../proxy/proc';
import { protocolOption } from './load';
import { memoryPeaks } from './memory-sampler';
import type { LoadCollection, LoadCommand, LoadReport, LoadStatus, XdsProtocol } from './load';
import { ProcessMonitor, ProcessSample } from './process-stats';
import { now, SHORT_TYPES, ShortType, zeroCounts } from './simulated-proxy';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Options {
  readonly services: number;
  readonly proxies: number;
  readonly rounds: number;
  readonly channels: number;
  readonly loadProcesses: number;
  readonly debounceMs: number;
  readonly controlPlane: 'meshform' | 'stand-in';
  readonly cpuProf: boolean;
  /** Sample the control plane's V8 heap and buffers (memory-sampler.ts). */
  readonly memory: boolean;
  readonly initialTimeoutS: number;
  readonly changeTimeoutS: number;
  /** Quiet time after the last ACK before a change counts as converged. */
  readonly settleMs: number;
  readonly keep: boolean;
  readonly protocol: XdsProtocol;
  /** Whether the control plane sends delta proxies their virtual hosts over VHDS. */
  readonly vhds: boolean;
}

function parseOptions(argv: string[]): Options {
  const num = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const value = Number(argv[i + 1]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a non-negative integer, got ${argv[i + 1]}`);
    return value;
  };
  const cp = argv.indexOf('--control-plane');
  const builtCommand = fs.existsSync(path.join(REPO, 'lib', 'runtime', 'cli', 'control-plane-command.js'));
  const controlPlane = cp >= 0 ? argv[cp + 1] : builtCommand ? 'meshform' : 'stand-in';
  if (controlPlane !== 'meshform' && controlPlane !== 'stand-in') {
    throw new Error(`--control-plane: expected 'meshform' or 'stand-in', got '${controlPlane}'`);
  }
  return {
    services: Math.max(1, num('services', 1000)),
    proxies: Math.max(1, num('proxies', 2000)),
    rounds: num('rounds', 5),
    channels: Math.max(1, num('channels', 20)),
    loadProcesses: Math.max(1, num('load-processes', 1)),
    debounceMs: num('debounce-ms', 100),
    controlPlane,
    cpuProf: argv.includes('--cpu-prof'),
    memory: argv.includes('--memory'),
    initialTimeoutS: num('initial-timeout-s', 1200),
    changeTimeoutS: num('change-timeout-s', 120),
    settleMs: num('settle-ms', 1500),
    keep: argv.includes('--keep'),
    protocol: protocolOption(argv),
    vhds: !argv.includes('--no-vhds'),
  };
}

// --- small helpers -------------------------------------------------------------

function httpStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
const s2 = (v: number): string => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'n/a');

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// --- child processes -------------------------------------------------------------

const children = new Set<ChildProcess>();
/** Temporary directory to remove when the driver exits early (error, signal). */
let workToRemove: string | undefined;

/** Kills every child still running (SIGKILL: used on exit paths that cannot wait). */
function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  if (workToRemove !== undefined) fs.rmSync(workToRemove, { recursive: true, force: true });
  workToRemove = undefined;
}

/** Asks a child to stop (SIGINT, so a CPU profile gets written), then kills it after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** A load process and its latest reports. */
class LoadProcess {
  public started: Promise<number>;
  public exited = false;
  private pending: Array<(r: LoadReport) => void> = [];

  public constructor(public readonly child: ChildProcess) {
    let resolveStarted: (at: number) => void = () => undefined;
    this.started = new Promise((resolve) => (resolveStarted = resolve));
    child.on('message', (report: LoadReport) => {
      if (report.type === 'started') resolveStarted(report.startedAt);
      else this.pending.shift()?.(report);
    });
    child.on('exit', () => {
      this.exited = true;
    });
  }

  public send(command: LoadCommand): void {
    if (!this.exited && this.child.connected) this.child.send(command);
  }

  /** Sends a command answered by one report; replies come in order. */
  public ask<T extends LoadReport>(command: LoadCommand, timeoutMs = 30000): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.exited || !this.child.connected) {
        reject(new Error('load process exited'));
        return;
      }
      const timer = setTimeout(() => reject(new Error(`load process did not answer '${command.type}' within ${timeoutMs} ms`)), timeoutMs);
      this.pending.push((r) => {
        clearTimeout(timer);
        resolve(r as T);
      });
      this.child.send(command);
    });
  }
}

function sumStatus(statuses: readonly LoadStatus[]): LoadStatus {
  const markedProxies = zeroCounts();
  const markPushes = zeroCounts();
  for (const s of statuses) {
    for (const t of SHORT_TYPES) {
      markedProxies[t] += s.markedProxies[t];
      markPushes[t] += s.markPushes[t];
    }
  }
  const lastError = statuses.find((s) => s.lastError !== undefined)?.lastError;
  return {
    type: 'status',
    proxies: statuses.reduce((a, s) => a + s.proxies, 0),
    initialized: statuses.reduce((a, s) => a + s.initialized, 0),
    streamErrors: statuses.reduce((a, s) => a + s.streamErrors, 0),
    ...(lastError !== undefined ? { lastError } : {}),
    responses: statuses.reduce((a, s) => a + s.responses, 0),
    bytes: statuses.reduce((a, s) => a + s.bytes, 0),
    markedProxies,
    markPushes,
    lastAckAt: Math.max(0, ...statuses.map((s) => s.lastAckAt)),
    rssMb: statuses.reduce((a, s) => a + s.rssMb, 0),
  };
}

// --- the benchmark -----------------------------------------------------------------

interface ChangeResult {
  readonly kind: 'VirtualService' | 'EndpointSlice';
  readonly round: number;
  readonly converged: number;
  readonly proxies: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly pushes: Record<ShortType, number>;
  readonly cpuSeconds: number;
}

class Bench {
  private readonly loads: LoadProcess[] = [];
  private monitor: ProcessMonitor | undefined;
  private readonly loadMonitors: ProcessMonitor[] = [];
  private directory = '';
  private logFile = '';
  private controlPlaneExit: string | undefined;
  private memoryLog = '';

  public constructor(private readonly options: Options) {}

  public async run(): Promise<void> {
    const o = this.options;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-bench-xds-'));
    this.directory = path.join(work, 'mesh');
    this.logFile = path.join(work, 'control-plane.log');
    if (!o.keep && !o.cpuProf) workToRemove = work;
    const mesh = generateMesh(this.directory, { services: o.services });
    log(`mesh: ${mesh.objects} objects in ${mesh.files.length} files (${(mesh.bytes / 1e6).toFixed(1)} MB) in ${this.directory}`);

    const xdsPort = await freePort();
    const monitoringPort = await freePort();
    const args = this.controlPlaneArgs(xdsPort, monitoringPort, work);
    log(`control plane: node ${args.join(' ')}`);
    const out = fs.openSync(this.logFile, 'a');
    const startedAt = now();
    this.memoryLog = path.join(work, 'memory.jsonl');
    const env = o.memory ? { ...process.env, MESHFORM_BENCH_MEMORY_LOG: this.memoryLog } : process.env;
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', out, out], env });
    fs.closeSync(out);
    children.add(child);
    child.on('exit', (code, signal) => {
      this.controlPlaneExit = `exited with ${signal ?? `code ${code}`}`;
    });
    this.monitor = new ProcessMonitor(child.pid ?? 0);

    // Ready.
    const readyDeadline = Date.now() + 120_000;
    while ((await httpStatus(monitoringPort, '/ready')) !== 200) {
      this.checkControlPlane();
      if (Date.now() > readyDeadline) throw new Error('control plane not ready within 120 s');
      await sleep(100);
    }
    const readyMs = now() - startedAt;
    const readySample = this.monitor.sample();
    log(`control plane ready after ${ms(readyMs)} (RSS ${readySample?.rssMb.toFixed(0)} MB)`);

    // Load.
    const loadScript = path.join(__dirname, 'load.js');
    const perProcess = Math.ceil(o.proxies / o.loadProcesses);
    for (let k = 0; k < o.loadProcesses; k++) {
      const first = k * perProcess;
      const count = Math.min(perProcess, o.proxies - first);
      if (count <= 0) break;
      const channels = Math.max(1, Math.round(o.channels / o.loadProcesses));
      const maxSeconds = o.initialTimeoutS + (o.changeTimeoutS + 30) * o.rounds * 2 + 300;
      const lp = fork(loadScript, [
        '--xds', `127.0.0.1:${xdsPort}`, '--proxies', String(count), '--first', String(first),
        '--services', String(o.services), '--channels', String(channels), '--max-seconds', String(maxSeconds),
        '--protocol', o.protocol,
      ], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=8192'] });
      children.add(lp);
      this.loads.push(new LoadProcess(lp));
      this.loadMonitors.push(new ProcessMonitor(lp.pid ?? 0, 1000));
    }
    const loadStarts = await Promise.all(this.loads.map((l) => l.started));
    const loadStart = Math.min(...loadStarts);
    const cpuAtLoad = this.monitor.sample()?.cpuSeconds ?? 0;
    log(`${this.loads.length} load process(es) opening ${o.proxies} streams over ${o.channels} channel(s)`);

    // Initial convergence.
    const initialDeadline = Date.now() + o.initialTimeoutS * 1000;
    let lastProgress = 0;
    let status = await this.status();
    while (status.initialized < o.proxies) {
      if (this.controlPlaneExit !== undefined) {
        log(`control plane ${this.controlPlaneExit} during the initial phase; its log ends with:\n${tail(this.logFile, 15)}`);
        break;
      }
      if (Date.now() > initialDeadline) break;
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        const cp = this.monitor.sample();
        log(`initial: ${status.initialized}/${o.proxies} proxies hold their config; ${status.responses} responses, ${(status.bytes / 1e6).toFixed(0)} MB received, ${status.streamErrors} stream errors${status.lastError ? ` (last: ${status.lastError})` : ''}; control plane RSS ${cp?.rssMb.toFixed(0)} MB, CPU ${cp?.cpuSeconds.toFixed(1)} s`);
      }
      await sleep(250);
      status = await this.status();
    }
    const collected = await this.collect();
    const initTimes = collected.flatMap((c) => c.initializedAt.filter((t) => t > 0).map((t) => t - loadStart)).sort((a, b) => a - b);
    const initialComplete = status.initialized >= o.proxies;
    const initialSample = this.monitor.sample();
    const initialCpu = (initialSample?.cpuSeconds ?? 0) - cpuAtLoad;
    log(initialComplete
      ? `initial: all ${o.proxies} proxies ACKed their config ${s2(initTimes[initTimes.length - 1] ?? NaN)} after the load started`
      : `initial: only ${status.initialized}/${o.proxies} proxies initialized ${this.controlPlaneExit !== undefined ? 'before the control plane exited' : `within ${o.initialTimeoutS} s`}`);
    const initialBytes = status.bytes;

    // Quiet, then steady RSS.
    if (initialComplete) await this.waitQuiet(3000, 60_000);
    const steady = this.monitor.sample();

    const changes: ChangeResult[] = [];
    if (initialComplete) {
      for (let round = 1; round <= o.rounds; round++) {
        changes.push(await this.change('VirtualService', round, () =>
          replaceFile(virtualServiceFile(this.directory, 0), virtualService(0, round)), this.routePushType()));
      }
      for (let round = 1; round <= o.rounds; round++) {
        changes.push(await this.change('EndpointSlice', round, () =>
          replaceFile(endpointSliceFile(this.directory, 0), endpointSlice(0, round)), 'EDS'));
      }
    } else {
      log('skipping the change rounds: not every proxy holds its initial config');
    }

    const end = this.monitor.sample();
    const loadCpu = this.loadMonitors.map((m) => m.sample()?.cpuSeconds ?? 0).reduce((a, b) => a + b, 0);
    const loadPeak = this.loadMonitors.map((m) => m.peakRssMb).reduce((a, b) => a + b, 0);
    this.report({
      readyMs, initTimes, initialComplete, initialCpu, initialBytes, steady, end, changes, loadCpu, loadPeak,
      peakRss: this.monitor.peakRssMb, args, finalStatus: await this.status(),
    });

    for (const l of this.loads) l.send({ type: 'stop' });
    await Promise.all(this.loads.map((l) => stopChild(l.child, 5000)));
    await stopChild(child);
    if (o.cpuProf) {
      const profiles = fs.readdirSync(work).filter((f) => f.endsWith('.cpuprofile'));
      log(`CPU profile(s) of the control plane: ${profiles.map((f) => path.join(work, f)).join(', ') || 'none written'}`);
    }
    if (o.keep || o.cpuProf) log(`kept ${work}`);
  }

  /** The type a VirtualService change moves: virtual hosts for delta proxies served over VHDS, else route configurations. */
  private routePushType(): ShortType {
    return this.options.protocol === 'delta' && this.options.vhds ? 'VHDS' : 'RDS';
  }

  private controlPlaneArgs(xdsPort: number, monitoringPort: number, work: string): string[] {
    const o = this.options;
    const prof = [
      ...(o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${work}`] : []),
      ...(o.memory ? ['--require', path.join(__dirname, 'memory-sampler.js')] : []),
    ];
    const flags = [
      '--config', this.directory, '--xds-port', String(xdsPort), '--listen', '127.0.0.1',
      '--monitoring-port', String(monitoringPort), '--debounce-ms', String(o.debounceMs),
      ...(o.vhds ? [] : ['--no-vhds']),
    ];
    if (o.controlPlane === 'meshform') return [...prof, path.join(REPO, 'bin', 'meshform'), 'control-plane', ...flags];
    return [...prof, path.join(__dirname, 'stand-in-control-plane.js'), ...flags];
  }

  private checkControlPlane(): void {
    if (this.controlPlaneExit !== undefined) {
      throw new Error(`control plane ${this.controlPlaneExit}; its log:\n${tail(this.logFile, 30)}`);
    }
  }

  private async status(): Promise<LoadStatus> {
    return sumStatus(await Promise.all(this.loads.map((l) => l.ask<LoadStatus>({ type: 'status' }))));
  }

  private collect(): Promise<LoadCollection[]> {
    return Promise.all(this.loads.map((l) => l.ask<LoadCollection>({ type: 'collect' }, 60000)));
  }

  /** Waits until no response arrived for `quietMs` (or `timeoutMs` passed). */
  private async waitQuiet(quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = (await this.status()).responses;
    let since = Date.now();
    while (Date.now() < deadline) {
      await sleep(250);
      const responses = (await this.status()).responses;
      if (responses !== last) {
        last = responses;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
    }
  }

  private async change(kind: ChangeResult['kind'], round: number, apply: () => void, expected: ShortType): Promise<ChangeResult> {
    const o = this.options;
    for (const l of this.loads) l.send({ type: 'mark' });
    await this.status(); // replies come after the mark was applied
    const cpuBefore = this.monitor?.sample()?.cpuSeconds ?? 0;
    const t0 = now();
    apply();
    const deadline = Date.now() + o.changeTimeoutS * 1000;
    let status = await this.status();
    while (Date.now() < deadline) {
      this.checkControlPlane();
      const all = status.markedProxies[expected] >= o.proxies;
      if (all && status.lastAckAt > 0 && now() - status.lastAckAt >= o.settleMs) break;
      await sleep(100);
      status = await this.status();
    }
    const cpuSeconds = (this.monitor?.sample()?.cpuSeconds ?? 0) - cpuBefore;
    const collected = await this.collect();
    const times = collected.flatMap((c) => c.lastAckAt.filter((t) => t > 0).map((t) => t - t0)).sort((a, b) => a - b);
    const converged = collected.reduce((a, c) => a + c.pushes.filter((p) => p[expected] > 0).length, 0);
    const result: ChangeResult = {
      kind, round, converged, proxies: o.proxies,
      p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1] ?? NaN,
      pushes: status.markPushes, cpuSeconds,
    };
    log(`${kind} change ${round}: ${converged}/${o.proxies} proxies got ${expected}; p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, max ${ms(result.max)}; pushes ${SHORT_TYPES.map((t) => `${t} ${result.pushes[t]}`).join(', ')}; control-plane CPU ${cpuSeconds.toFixed(2)} s`);
    return result;
  }

  /** Peaks of the control plane's own memory figures, with `--memory`. */
  private memoryRows(): string[] {
    const peaks = this.options.memory ? memoryPeaks(this.memoryLog) : undefined;
    if (!peaks) return [];
    return [
      `| control-plane peaks (process.memoryUsage, 500 ms samples) | V8 heap used ${peaks.heapUsed.toFixed(0)} MB, heap total ${peaks.heapTotal.toFixed(0)} MB, array buffers ${peaks.arrayBuffers.toFixed(0)} MB | |`,
    ];
  }

  private report(r: {
    readyMs: number; initTimes: number[]; initialComplete: boolean; initialCpu: number; initialBytes: number;
    steady: ProcessSample | undefined; end: ProcessSample | undefined; changes: ChangeResult[];
    loadCpu: number; loadPeak: number; peakRss: number; args: string[]; finalStatus: LoadStatus;
  }): void {
    const o = this.options;
    const cpus = os.cpus();
    const vs = r.changes.filter((c) => c.kind === 'VirtualService');
    const eds = r.changes.filter((c) => c.kind === 'EndpointSlice');
    const worst = (list: ChangeResult[], f: (c: ChangeResult) => number): number => Math.max(...list.map(f));
    const edsOthers = eds.reduce((a, c) => a + c.pushes.CDS + c.pushes.LDS + c.pushes.RDS + c.pushes.VHDS, 0);
    const lastInit = r.initTimes[r.initTimes.length - 1] ?? NaN;
    const mark = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    const lines = [
      '',
      `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.release()}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes on the machine inflate wall times, not CPU seconds)`,
      `command: node ${process.argv.slice(1).map((a) => path.relative(REPO, a) || a).join(' ')}`,
      `control plane: ${o.controlPlane === 'meshform' ? 'meshform control-plane' : 'STAND-IN (bench/xds/stand-in-control-plane.ts)'}, debounce ${o.debounceMs} ms`,
      `mesh: ${o.services} services × 2 subsets; ${o.proxies} sidecars (${o.protocol === 'delta' ? `delta ADS, ${o.vhds ? 'virtual hosts over VHDS' : 'no VHDS'}` : 'SotW ADS'}) over ${o.channels} HTTP/2 connection(s) from ${this.loads.length} load process(es)`,
      '',
      '| measure | value | target |',
      '| --- | --- | --- |',
      `| control plane ready (process start → /ready) | ${s2(r.readyMs)} | |`,
      `| initial: all proxies ACKed CDS+EDS+LDS+RDS${this.routePushType() === 'VHDS' ? '+VHDS' : ''} | ${r.initialComplete ? s2(lastInit) : `only ${r.initTimes.length}/${o.proxies} ${this.controlPlaneExit !== undefined ? `(control plane ${this.controlPlaneExit})` : `in ${o.initialTimeoutS} s`}`} (p50 ${s2(quantile(r.initTimes, 0.5))}, p99 ${s2(quantile(r.initTimes, 0.99))}) | |`,
      `| initial: control-plane CPU, bytes pushed | ${r.initialCpu.toFixed(1)} s CPU, ${(r.initialBytes / 1e6).toFixed(0)} MB | |`,
      vs.length
        ? `| VirtualService change → proxies ACKed (median of ${vs.length} rounds) | p50 ${ms(median(vs.map((c) => c.p50)))}, p99 ${ms(median(vs.map((c) => c.p99)))}; worst round p99 ${ms(worst(vs, (c) => c.p99))} | p99 ≤ 2 s: ${mark(worst(vs, (c) => c.p99) <= 2000 && vs.every((c) => c.converged >= c.proxies))} |`
        : '| VirtualService change | not measured | p99 ≤ 2 s |',
      vs.length ? `| VirtualService change: pushes per round | ${SHORT_TYPES.map((t) => `${t} ${median(vs.map((c) => c.pushes[t]))}`).join(', ')}; CPU ${median(vs.map((c) => c.cpuSeconds)).toFixed(2)} s | |` : null,
      eds.length
        ? `| endpoint-only change → proxies ACKed EDS (median of ${eds.length} rounds) | p50 ${ms(median(eds.map((c) => c.p50)))}, p99 ${ms(median(eds.map((c) => c.p99)))}; worst round p99 ${ms(worst(eds, (c) => c.p99))} | p99 ≤ 0.5 s: ${mark(worst(eds, (c) => c.p99) <= 500 && eds.every((c) => c.converged >= c.proxies))} |`
        : '| endpoint-only change | not measured | p99 ≤ 0.5 s |',
      eds.length ? `| endpoint-only change: pushes per round | ${SHORT_TYPES.map((t) => `${t} ${median(eds.map((c) => c.pushes[t]))}`).join(', ')} (non-EDS over all rounds: ${edsOthers}); CPU ${median(eds.map((c) => c.cpuSeconds)).toFixed(2)} s | only EDS: ${mark(edsOthers === 0)} |` : null,
      `| control-plane RSS: ${r.initialComplete ? 'steady (all connected, quiet)' : 'when the initial phase ended'}, end | ${r.steady ? `${r.steady.rssMb.toFixed(0)} MB` : 'n/a'}, ${r.end?.rssMb.toFixed(0) ?? 'n/a'} MB at end | |`,
      `| control-plane RSS peak (VmHWM) | ${r.peakRss.toFixed(0)} MB | ≤ 500 MB: ${mark(r.peakRss <= 500)} |`,
      ...this.memoryRows(),
      `| control-plane CPU over the run (utime+stime) | ${r.end?.cpuSeconds.toFixed(1) ?? 'n/a'} s | |`,
      `| load side: CPU, peak RSS | ${r.loadCpu.toFixed(1)} s, ${r.loadPeak.toFixed(0)} MB | |`,
      `| stream errors (load side) | ${r.finalStatus.streamErrors}${r.finalStatus.lastError ? ` (last: ${r.finalStatus.lastError})` : ''} | |`,
      '',
      'reference (published, not measured here): istiod uses about 1 vCPU and 1.5 GB for 1,000 services and 2,000 sidecars.',
      'targets: full convergence ≤ 2 s p99; endpoint-only ≤ 0.5 s p99; control-plane RSS ≤ 500 MB.',
    ];
    console.log(lines.filter((l): l is string => l !== null).join('\n'));
  }
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the control plane and the load`);
      killChildren();
      process.exit(130);
    });
  }
  await new Bench(options).run();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench/xds: ${e instanceof Error ? e.message : String(e)}`);
    killChildren();
    process.exit(1);
  },
);
