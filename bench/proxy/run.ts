/**
 * Side-by-side HTTP/1.1 reverse-proxy benchmark on loopback: direct to the
 * upstream, HAProxy (nbthread 1), nginx (1 worker, upstream keepalive), and the
 * meshform engine (1 worker, and 2 workers via node:cluster), all in front of the
 * same nginx serving a static 1 KiB file. Rounds are interleaved (the order
 * rotates each round) so drifting machine load hits every target alike.
 *
 *   bash bench/proxy/install-tools.sh            # haproxy, nginx, wrk (Debian)
 *   npx tsc -p bench/proxy/tsconfig.json
 *   node lib/bench/proxy/run.js [--rounds 3] [--seconds 10] [--rate 1000] [--pin] [--only meshform-1,haproxy]
 *     [--skip-wrk] [--node-flags "--single-threaded-gc"]
 *
 * Figures: max throughput (wrk -t2 -c50), added latency at a fixed rate (open-loop
 * generator, loadgen.ts), proxy CPU seconds per 1,000 requests and vCPU at that
 * rate (utime+stime from /proc/<pid>/stat over the process tree), resident memory
 * (VmRSS after the fixed-rate phase, VmHWM at the end).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { runFixedRate, LoadResult } from './loadgen';

const argv = process.argv.slice(2);
const flag = (n: string) => argv.includes(`--${n}`);
const opt = (n: string, d: string) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
const ROUNDS = Number(opt('rounds', '3'));
const SECONDS = Number(opt('seconds', '10'));
const RATE = Number(opt('rate', '1000'));
const PIN = flag('pin');
const ONLY = opt('only', '');
/** Extra node flags for the meshform processes, e.g. "--single-threaded-gc". */
const NODE_FLAGS = opt('node-flags', '').split(' ').filter((f) => f !== '');
const SKIP_WRK = flag('skip-wrk');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const ROOT = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}lib${path.sep}`) ? ['..'] : []));

interface Target {
  readonly name: string;
  readonly port: number;
  proc: ChildProcess | null;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

function start(cmd: string, args: string[], cpu: string | null): ChildProcess {
  const [file, list] = cpu !== null ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
  const p = spawn(file, list, { stdio: ['ignore', 'ignore', 'inherit'] });
  p.on('exit', (code, sig) => {
    if (!stopping) console.error(`${cmd} exited (${code ?? sig})`);
  });
  return p;
}

/** The process and all its descendants. */
function tree(pid: number): number[] {
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

function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').slice(0).split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch {
      // exited
    }
  }
  return ticks / CLK_TCK;
}

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m !== null) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

function wrk(port: number): number {
  const out = execFileSync(
    PIN ? 'taskset' : 'wrk',
    [...(PIN ? ['-c', '0', 'wrk'] : []), '-t2', '-c50', `-d${SECONDS}s`, `http://127.0.0.1:${port}/1k.bin`],
    { encoding: 'utf8' },
  );
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (/Non-2xx|Socket errors/.test(out)) {
    console.error(out);
    return NaN; // errors are not throughput
  }
  return m === null ? NaN : Number(m[1]);
}

let stopping = false;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-bench-'));
  fs.chmodSync(dir, 0o755); // nginx workers run unprivileged
  fs.writeFileSync(path.join(dir, '1k.bin'), Buffer.alloc(1024, 'x'), { mode: 0o644 });
  const upPort = await freePort();
  const ports = { haproxy: await freePort(), nginx: await freePort(), m1: await freePort(), m2: await freePort() };
  const proxyCpu = PIN ? '1' : null;
  const loadCpu = PIN ? '0' : null;

  fs.writeFileSync(
    path.join(dir, 'upstream.conf'),
    `daemon off; master_process on; worker_processes 1; pid ${dir}/upstream.pid; error_log ${dir}/upstream.err warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s; open_file_cache max=10;
  server { listen 127.0.0.1:${upPort} backlog=4096; root ${dir}; location / { } } }
`,
  );
  fs.writeFileSync(
    path.join(dir, 'haproxy.cfg'),
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${ports.haproxy}
  default_backend be
backend be
  server up 127.0.0.1:${upPort}
`,
  );
  fs.writeFileSync(
    path.join(dir, 'nginx-proxy.conf'),
    `daemon off; master_process on; worker_processes 1; pid ${dir}/proxy.pid; error_log ${dir}/proxy.err warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  upstream up { server 127.0.0.1:${upPort}; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:${ports.nginx} backlog=4096;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Request-Id $request_id; } } }
`,
  );

  const upstream = start('nginx', ['-p', dir, '-c', path.join(dir, 'upstream.conf')], loadCpu);
  const meshformJs = path.join(ROOT, 'lib', 'bench', 'proxy', 'meshform-static.js');
  const all: Target[] = [
    { name: 'direct', port: upPort, proc: null },
    { name: 'haproxy', port: ports.haproxy, proc: start('haproxy', ['-f', path.join(dir, 'haproxy.cfg'), '-db'], proxyCpu) },
    { name: 'nginx', port: ports.nginx, proc: start('nginx', ['-p', dir, '-c', path.join(dir, 'nginx-proxy.conf')], proxyCpu) },
    {
      name: 'meshform-1',
      port: ports.m1,
      proc: start(process.execPath, [...NODE_FLAGS, meshformJs, '--port', String(ports.m1), '--upstream', `127.0.0.1:${upPort}`, '--access-log', '/dev/null'], proxyCpu),
    },
    {
      name: 'meshform-2',
      port: ports.m2,
      proc: start(process.execPath, [...NODE_FLAGS, meshformJs, '--port', String(ports.m2), '--upstream', `127.0.0.1:${upPort}`, '--access-log', '/dev/null', '--concurrency', '2'], PIN ? '0,1' : null),
    },
  ];
  const targets = ONLY === '' ? all : all.filter((t) => t.name === 'direct' || ONLY.split(',').includes(t.name));
  const procs = [upstream, ...all.map((t) => t.proc)].filter((p): p is ChildProcess => p !== null);
  const stop = () => {
    stopping = true;
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  };
  process.on('exit', stop);
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  await waitPort(upPort);
  for (const t of all) await waitPort(t.port);
  if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)]);
  // Unused targets stay up but idle; warm the used ones.
  for (const t of targets) await runFixedRate(`http://127.0.0.1:${t.port}/1k.bin`, 2000, 1);

  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const fixed = new Map<string, { r: LoadResult; cpu: number }[]>();
  const tput = new Map<string, number[]>();
  const order = (round: number) => targets.map((_, i) => targets[(i + round) % targets.length]);

  for (let round = 0; round < ROUNDS; round++) {
    for (const t of order(round)) {
      const pid = t.proc?.pid;
      const c0 = pid !== undefined ? cpuSeconds(pid) : 0;
      const r = await runFixedRate(`http://127.0.0.1:${t.port}/1k.bin`, RATE, SECONDS);
      const cpu = pid !== undefined ? cpuSeconds(pid) - c0 : NaN;
      (fixed.get(t.name) ?? fixed.set(t.name, []).get(t.name)!).push({ r, cpu });
      console.error(`fixed ${RATE}/s round ${round + 1} ${t.name}: p50 ${r.p50Ms.toFixed(3)} p90 ${r.p90Ms.toFixed(3)} p99 ${r.p99Ms.toFixed(3)} ms, cpu ${cpu.toFixed(2)} s, errors ${r.errors}, lag ${r.maxLagMs.toFixed(1)} ms`);
    }
  }
  const rss = new Map<string, number>();
  const anon = new Map<string, number>();
  const hwmFixed = new Map<string, number>();
  for (const t of targets) {
    if (t.proc?.pid === undefined) continue;
    rss.set(t.name, memoryMb(t.proc.pid, 'VmRSS'));
    anon.set(t.name, memoryMb(t.proc.pid, 'RssAnon'));
    hwmFixed.set(t.name, memoryMb(t.proc.pid, 'VmHWM'));
  }
  for (let round = 0; round < (SKIP_WRK ? 0 : ROUNDS); round++) {
    for (const t of order(round)) {
      const rps = wrk(t.port);
      (tput.get(t.name) ?? tput.set(t.name, []).get(t.name)!).push(rps);
      console.error(`wrk round ${round + 1} ${t.name}: ${rps.toFixed(0)} req/s`);
    }
  }
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').trim();

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const directFixed = fixed.get('direct') ?? [];
  const dP = (q: 'p50Ms' | 'p90Ms' | 'p99Ms') => median(directFixed.map((x) => x.r[q]));
  const haproxyTput = median(tput.get('haproxy') ?? [NaN]);
  const rows: string[] = [];
  rows.push(
    '| target | max req/s (median of rounds) | × HAProxy | p50 / p90 / p99 at ' + RATE + '/s (ms) | added p50 / p90 / p99 (ms) | CPU s per 1k req | vCPU at ' + RATE + '/s | RSS MB at ' + RATE + '/s (private: RssAnon) | peak RSS MB (VmHWM, after max load) |',
    '| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const t of targets) {
    const f = fixed.get(t.name) ?? [];
    const p = (q: 'p50Ms' | 'p90Ms' | 'p99Ms') => median(f.map((x) => x.r[q]));
    const completed = f.reduce((a, x) => a + x.r.completed, 0);
    const cpu = f.reduce((a, x) => a + x.cpu, 0);
    const seconds = f.length * SECONDS;
    const tp = median(tput.get(t.name) ?? [NaN]);
    const proxied = t.name !== 'direct';
    rows.push(
      `| ${t.name} | ${tp.toFixed(0)} | ${(tp / haproxyTput).toFixed(2)} | ${p('p50Ms').toFixed(3)} / ${p('p90Ms').toFixed(3)} / ${p('p99Ms').toFixed(3)} | ${
        proxied ? `${(p('p50Ms') - dP('p50Ms')).toFixed(3)} / ${(p('p90Ms') - dP('p90Ms')).toFixed(3)} / ${(p('p99Ms') - dP('p99Ms')).toFixed(3)}` : '—'
      } | ${proxied ? ((cpu / completed) * 1000).toFixed(3) : '—'} | ${proxied ? (cpu / seconds).toFixed(3) : '—'} | ${proxied ? `${(rss.get(t.name) ?? NaN).toFixed(1)} (${(anon.get(t.name) ?? NaN).toFixed(1)})` : '—'} | ${
        proxied && t.proc?.pid !== undefined ? memoryMb(t.proc.pid, 'VmHWM').toFixed(1) : '—'
      } |`,
    );
  }
  const summary = [
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.release()}, node ${process.version}`,
    `load average before: ${loadBefore}; after: ${loadAfter}`,
    `rounds: ${ROUNDS} interleaved (order rotated), ${SECONDS} s each; wrk -t2 -c50; fixed rate ${RATE}/s open-loop; pinning: ${PIN ? 'proxy on CPU 1, upstream+load on CPU 0' : 'none'}`,
    '',
    ...rows,
  ].join('\n');
  console.log(summary);
  fs.writeFileSync(path.join(dir, 'result.md'), summary + '\n');
  stop();
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
