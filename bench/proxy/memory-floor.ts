/**
 * Where the proxy's resident memory comes from, measured on one machine in one
 * run: the same figures (RSS split into private anon and file-backed pages, PSS,
 * V8 heap after a full GC, loaded modules) for
 *   1. an empty node process (`setInterval`): node's own floor;
 *   2. node with every module the idle proxy loaded required, nothing started;
 *   3. `meshform proxy` (one worker) configured over xDS by `meshform control-plane`, idle;
 *   4. the same proxy right after `--seconds` of `--rate` req/s (open loop, loadgen.ts);
 *   5. `meshform proxy --concurrency 2`, idle: the primary and each worker apart.
 * Config and upstream are those of run.ts (Service + EndpointSlice, DestinationRule,
 * VirtualService, Sidecar egress listener; nginx serving a 1 KiB file on loopback).
 *
 *   npx tsc -p tsconfig.json && npx tsc -p bench/proxy/tsconfig.json
 *   node lib/bench/proxy/memory-floor.js [--seconds 10] [--rate 1000] [--settle 3]
 *     [--node-flags "--max-semi-space-size=1"] [--meshform bin/meshform] [--keep]
 *
 * Every node process is started with `-r <probe> --expose-gc`: on SIGUSR2 the
 * probe writes `process.memoryUsage()`, V8 heap statistics after `gc()` and the
 * module list. /proc is read before the probe runs, so its GC does not flatter
 * RSS. Loopback only; bounded (`--timeout`, default 180 s); every process
 * started here is stopped at the end, on error or timeout too.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { meshYaml } from './bench-mesh';
import { runFixedRate } from './loadgen';
import { args, freePort, httpStatus, MESHFORM, sleep, tree, waitPort } from './proc';

const { flag, opt } = args;
const SECONDS = Number(opt('seconds', '10'));
const RATE = Number(opt('rate', '1000'));
const SETTLE_MS = Number(opt('settle', '3')) * 1000;
const TIMEOUT_MS = Number(opt('timeout', '180')) * 1000;
const NODE_FLAGS = opt('node-flags', '').split(' ').filter((f) => f !== '');
const KEEP = flag('keep');
/** The compiled tree next to the meshform command file (bin/ → lib/). */
const MESHFORM_LIB = path.join(path.dirname(MESHFORM), '..', 'lib');

/** Preloaded into every measured node process; answers SIGUSR2 with a JSON file. */
const PROBE = `'use strict';
const fs = require('fs');
const v8 = require('v8');
process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  if (typeof gc === 'function') gc();
  const after = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { used: s.space_used_size, physical: s.physical_space_size };
  const modules = Object.keys(require.cache).filter((f) => f !== __filename);
  fs.writeFileSync(process.env.MEMORY_FLOOR_OUT + '.' + process.pid, JSON.stringify({ before, after, physical: heap.total_physical_size, malloced: heap.malloced_memory, spaces, modules }));
});
`;

interface ProbeReport {
  readonly before: NodeJS.MemoryUsage;
  readonly after: NodeJS.MemoryUsage;
  /** V8 heap pages resident (all spaces). */
  readonly physical: number;
  /** V8's own malloc'ed memory (zones etc.). */
  readonly malloced: number;
  readonly spaces: Readonly<Record<string, { used: number; physical: number }>>;
  readonly modules: readonly string[];
}

interface Row {
  readonly name: string;
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
  readonly pss: number;
  readonly probe: ProbeReport | undefined;
}

const children: ChildProcess[] = [];
let stopping = false;
let dir = '';

function start(cmd: string, args: readonly string[], name: string): ChildProcess {
  const p = spawn(cmd, [...args], {
    stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, `${name}.err`), 'a')],
    env: { ...process.env, MEMORY_FLOOR_OUT: path.join(dir, 'probe') },
  });
  p.on('exit', (code, sig) => {
    if (!stopping && !(p as { expectedExit?: boolean }).expectedExit) console.error(`${name} exited (${code ?? sig}); see ${path.join(dir, `${name}.err`)}`);
  });
  children.push(p);
  return p;
}

/** Every process started here and its descendants (cluster workers): SIGKILL. */
function killAll(): void {
  stopping = true;
  for (const c of children) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    for (const pid of tree(c.pid).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/** Stops one process tree gracefully (SIGTERM; SIGKILL after 3 s). */
async function stopTree(p: ChildProcess): Promise<void> {
  if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  (p as { expectedExit?: boolean }).expectedExit = true;
  const pids = tree(p.pid);
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited
    }
  }
}

/** Asks one process (not its tree) for its probe report. */
async function probe(pid: number): Promise<ProbeReport | undefined> {
  const file = path.join(dir, `probe.${pid}`);
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(30);
    if (fs.existsSync(file)) {
      await sleep(20); // written in one call; let it finish
      return JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeReport;
    }
  }
  console.error(`pid ${pid}: no probe report`);
  return undefined;
}

/** A /proc field of one process alone (memoryMb sums a whole tree), in MB. */
function ownMb(pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' | 'Pss'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/${field === 'Pss' ? 'smaps_rollup' : 'status'}`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** /proc figures of one process (not its children), then its probe report. */
async function measure(name: string, pid: number): Promise<Row> {
  const row = { name, rss: ownMb(pid, 'VmRSS'), anon: ownMb(pid, 'RssAnon'), file: ownMb(pid, 'RssFile'), pss: ownMb(pid, 'Pss') };
  return { ...row, probe: await probe(pid) };
}

const nodeArgs = (probeFile: string): string[] => ['-r', probeFile, '--expose-gc', ...NODE_FLAGS];

async function waitReady(adminPort: number, bind: string, port: number): Promise<void> {
  for (let i = 0; i < 400 && (await httpStatus('127.0.0.1', adminPort, '/ready')) !== 200; i++) await sleep(50);
  if ((await httpStatus('127.0.0.1', adminPort, '/ready')) !== 200) throw new Error(`proxy admin ${adminPort}: /ready never answered 200`);
  await waitPort(port, bind);
}

const mb = (bytes: number | undefined): string => (bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1));

function table(rows: readonly Row[]): string {
  const out = [
    '| process | RSS MB | anon MB | file MB | PSS MB | V8 heap used MB (after GC) | V8 heap resident MB (new / old / code / large) | rest of anon MB | modules |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    const p = r.probe;
    const sp = (n: string): string => mb(p?.spaces[n]?.physical);
    const rest = p === undefined ? '—' : (r.anon - p.physical / 2 ** 20).toFixed(1);
    out.push(
      `| ${r.name} | ${r.rss.toFixed(1)} | ${r.anon.toFixed(1)} | ${r.file.toFixed(1)} | ${r.pss.toFixed(1)} | ${mb(p?.after.heapUsed)} | ${mb(p?.physical)} (${sp('new_space')} / ${sp('old_space')} / ${sp('code_space')} / ${sp('large_object_space')}) | ${rest} | ${p?.modules.length ?? '—'} |`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-memory-'));
  fs.chmodSync(dir, 0o755); // nginx workers run unprivileged
  fs.writeFileSync(path.join(dir, '1k.bin'), Buffer.alloc(1024, 'x'), { mode: 0o644 });
  const probeFile = path.join(dir, 'probe.js');
  fs.writeFileSync(probeFile, PROBE);
  const ports = { up: await freePort(), xds: await freePort(), monitoring: await freePort(), admin1: await freePort(), admin2: await freePort(), egress: await freePort() };
  fs.writeFileSync(
    path.join(dir, 'upstream.conf'),
    `daemon off; master_process on; worker_processes 1; pid ${dir}/upstream.pid; error_log ${dir}/upstream.err warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s; open_file_cache max=10;
  server { listen 127.0.0.1:${ports.up} backlog=4096; root ${dir}; location / { } } }
`,
  );
  const meshDir = path.join(dir, 'mesh');
  fs.mkdirSync(meshDir);
  fs.writeFileSync(path.join(meshDir, 'bench.yaml'), meshYaml(ports.up, ports.egress));
  const rows: Row[] = [];

  // 1. empty node
  const empty = start(process.execPath, [...nodeArgs(probeFile), '-e', 'setInterval(() => {}, 1000)'], 'empty');
  await sleep(Math.max(1000, SETTLE_MS / 2));
  rows.push(await measure('empty node (`node -e setInterval`)', empty.pid!));
  await stopTree(empty);

  start('nginx', ['-p', dir, '-c', path.join(dir, 'upstream.conf')], 'upstream');
  start(process.execPath, [MESHFORM, 'control-plane', '--config', meshDir, '--xds-port', String(ports.xds), '--monitoring-port', String(ports.monitoring)], 'control-plane');
  await waitPort(ports.up);
  await waitPort(ports.xds);

  const proxyArgs = (i: number, admin: number): string[] => [
    ...nodeArgs(probeFile), MESHFORM, 'proxy', '--xds-address', `127.0.0.1:${ports.xds}`,
    '--node-id', `sidecar~127.0.0.2${i}~bench-${i}.default~default.svc.cluster.local`, '--namespace', 'default', '--labels', `app=bench-${i}`,
    '--admin-port', String(admin), '--concurrency', String(i),
  ];

  // 3 + 4. one worker: idle, then under load
  const proxy1 = start(process.execPath, proxyArgs(1, ports.admin1), 'proxy-1');
  await waitReady(ports.admin1, '127.0.0.21', ports.egress);
  await sleep(SETTLE_MS);
  const idle = await measure('`meshform proxy`, configured over xDS, idle', proxy1.pid!);
  const url = `http://127.0.0.21:${ports.egress}/1k.bin`;
  const host = `upstream:${ports.egress}`;
  const load = await runFixedRate(url, RATE, SECONDS, host);
  if (load.errors > 0 || load.completed === 0) throw new Error(`proxy-1 under load: ${load.errors} errors, ${load.completed} answers`);
  const loaded = await measure(`\`meshform proxy\` after ${SECONDS} s at ${RATE} req/s`, proxy1.pid!);
  await stopTree(proxy1);

  // 2. the idle proxy's modules, required, nothing started (same V8 flags as the proxy command sets)
  const list = path.join(dir, 'modules.json');
  fs.writeFileSync(list, JSON.stringify((idle.probe?.modules ?? []).filter((m) => m !== MESHFORM)));
  const flags = path.join(MESHFORM_LIB, 'runtime', 'cli', 'proxy-v8-flags.js');
  const requireAll = `const f = ${JSON.stringify(flags)}; if (require('fs').existsSync(f)) require(f).applyProxyV8Flags();
for (const m of JSON.parse(require('fs').readFileSync(${JSON.stringify(list)}, 'utf8'))) { try { require(m); } catch {} }
setInterval(() => {}, 1000);`;
  const modulesOnly = start(process.execPath, [...nodeArgs(probeFile), '-e', requireAll], 'modules');
  await sleep(1000 + SETTLE_MS);
  rows.push(await measure('node + the idle proxy\'s modules required, nothing started', modulesOnly.pid!));
  await stopTree(modulesOnly);
  rows.push(idle, loaded);

  // 5. two workers, idle: primary and workers apart
  const proxy2 = start(process.execPath, proxyArgs(2, ports.admin2), 'proxy-2');
  await waitReady(ports.admin2, '127.0.0.22', ports.egress);
  await sleep(SETTLE_MS);
  rows.push(await measure('`meshform proxy --concurrency 2`, idle: primary', proxy2.pid!));
  for (const [i, pid] of tree(proxy2.pid!).slice(1).entries()) rows.push(await measure(`… worker ${i + 1}`, pid));
  await stopTree(proxy2);

  console.log([
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${os.release()}, node ${process.version}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`,
    `meshform command: ${MESHFORM}; extra node flags: ${NODE_FLAGS.length > 0 ? NODE_FLAGS.join(' ') : '(none)'}; load: ${load.completed} answers, p90 ${load.p90Ms.toFixed(3)} ms`,
    'RSS / anon / file / PSS from /proc (before the probe\'s GC); V8 heap after gc(); "rest of anon" = anon − V8 heap resident (malloc, thread stacks, V8 zones, node/libuv)',
    '',
    table(rows),
  ].join('\n'));
}

const guard = setTimeout(() => {
  console.error(`memory-floor: timed out after ${TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TIMEOUT_MS);
process.on('exit', () => {
  killAll();
  if (!KEEP && dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
main().then(
  () => {
    clearTimeout(guard);
    process.exit(0);
  },
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
