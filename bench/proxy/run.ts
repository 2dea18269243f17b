/**
 * Side-by-side HTTP/1.1 reverse-proxy benchmark on loopback: direct to the
 * upstream, HAProxy (nbthread 1), nginx (1 worker, upstream keepalive), the
 * meshform engine with a static route (1 worker, and 2 workers via node:cluster),
 * and the real `meshform proxy` (1 and 2 workers) configured over xDS by
 * `meshform control-plane` from a small Istio config directory (Service +
 * EndpointSlice, DestinationRule with LB / connection pool / outlier detection,
 * VirtualService with a header-match route before the default route, one
 * Sidecar per proxy with a `captureMode: NONE` egress listener), all in front of
 * the same nginx serving a static 1 KiB file. Rounds are interleaved (the order
 * rotates each round) so drifting machine load hits every target alike. The
 * control plane is not measured (only each proxy's process tree is).
 *
 *   bash bench/proxy/install-tools.sh            # haproxy, nginx, wrk (Debian)
 *   npx tsc -p bench/proxy/tsconfig.json
 *   node lib/bench/proxy/run.js [--rounds 3] [--seconds 10] [--rate 1000] [--pin] [--only meshform-1,haproxy]
 *     [--skip-wrk] [--node-flags "--single-threaded-gc"] [--meshform bin/meshform] [--keep]
 *
 * `--only` starts only the named targets (direct always). `--node-flags` go to
 * every meshform node process (static engine and `meshform proxy`). `--meshform`
 * is the command file run as `node <file> control-plane|proxy ...`. `--keep`
 * leaves the temp directory (configs, proxy stderr, control-plane log).
 *
 * Figures: max throughput (wrk -t2 -c50), added latency at a fixed rate (open-loop
 * generator, loadgen.ts), proxy CPU seconds per 1,000 requests and vCPU at that
 * rate (utime+stime from /proc/<pid>/stat over the process tree), resident memory
 * (VmRSS after the fixed-rate phase, VmHWM at the end).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { meshYaml } from './bench-mesh';
import { runFixedRate, LoadResult } from './loadgen';
import { args, cpuSeconds, finishRun, freePort, httpStatus, machineLine, memoryMb, MESHFORM, REPO_ROOT, waitPort } from './proc';

const { flag, opt } = args;
const ROUNDS = Number(opt('rounds', '3'));
const SECONDS = Number(opt('seconds', '10'));
const RATE = Number(opt('rate', '1000'));
const PIN = flag('pin');
const ONLY = opt('only', '');
/** Extra node flags for the meshform processes, e.g. "--single-threaded-gc". */
const NODE_FLAGS = opt('node-flags', '').split(' ').filter((f) => f !== '');
const SKIP_WRK = flag('skip-wrk');
const KEEP = flag('keep');

interface Target {
  readonly name: string;
  /** Address the load connects to. @default 127.0.0.1 */
  readonly address?: string;
  readonly port: number;
  /** Host header the load sends. @default address:port */
  readonly hostHeader?: string;
  /** Starts the target (null: nothing to start). */
  readonly launch: () => ChildProcess | null;
  /** Resolves when the target serves. @default its port accepts connections */
  readonly ready?: () => Promise<void>;
  proc: ChildProcess | null;
}

const urlOf = (t: Target) => `http://${t.address ?? '127.0.0.1'}:${t.port}/1k.bin`;

/** Waits for the proxy's admin /ready, then for its egress listener. */
async function waitProxyReady(adminPort: number, bind: string, port: number): Promise<void> {
  for (let i = 0; i < 600 && (await httpStatus('127.0.0.1', adminPort, '/ready')) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
  if ((await httpStatus('127.0.0.1', adminPort, '/ready')) !== 200) throw new Error(`proxy admin ${adminPort}: /ready never answered 200`);
  await waitPort(port, bind);
}

/** `stderr`: a file to write the process's standard error to (default: inherited). */
function start(cmd: string, args: string[], cpu: string | null, stderr?: string): ChildProcess {
  const [file, list] = cpu !== null ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
  const p = spawn(file, list, { stdio: ['ignore', 'ignore', stderr !== undefined ? fs.openSync(stderr, 'a') : 'inherit'] });
  p.on('exit', (code, sig) => {
    if (!stopping) console.error(`${cmd} exited (${code ?? sig})`);
  });
  return p;
}

function wrk(t: Target): number {
  const out = execFileSync(
    PIN ? 'taskset' : 'wrk',
    [...(PIN ? ['-c', '0', 'wrk'] : []), '-t2', '-c50', `-d${SECONDS}s`, ...(t.hostHeader !== undefined ? ['-H', `Host: ${t.hostHeader}`] : []), urlOf(t)],
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
  const ports = {
    haproxy: await freePort(), nginx: await freePort(), m1: await freePort(), m2: await freePort(),
    xds: await freePort(), monitoring: await freePort(), admin1: await freePort(), admin2: await freePort(),
    // The egress listeners (one per proxy, on their own loopback address) and the Service port they serve.
    egress: await freePort(),
  };
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

  const meshDir = path.join(dir, 'mesh');
  fs.mkdirSync(meshDir);
  fs.writeFileSync(path.join(meshDir, 'bench.yaml'), meshYaml(upPort, ports.egress));

  const upstream = start('nginx', ['-p', dir, '-c', path.join(dir, 'upstream.conf')], loadCpu);
  const meshformJs = path.join(REPO_ROOT, 'lib', 'bench', 'proxy', 'meshform-static.js');
  const proxyTarget = (name: string, workers: number): Target => {
    const i = workers; // proxy i: bind 127.0.0.2i, workload bench-i
    const bind = `127.0.0.2${i}`;
    const admin = i === 1 ? ports.admin1 : ports.admin2;
    return {
      name,
      address: bind,
      port: ports.egress,
      hostHeader: `upstream:${ports.egress}`,
      launch: () =>
        start(process.execPath, [
          ...NODE_FLAGS, MESHFORM, 'proxy', '--xds-address', `127.0.0.1:${ports.xds}`,
          '--node-id', `sidecar~${bind}~bench-${i}.default~default.svc.cluster.local`, '--namespace', 'default', '--labels', `app=bench-${i}`,
          '--admin-port', String(admin), '--concurrency', String(workers),
          // access log on (the default): standard output, which start() sends to /dev/null
        ], workers > 1 ? (PIN ? '0,1' : null) : proxyCpu, path.join(dir, `${name}.err`)),
      ready: () => waitProxyReady(admin, bind, ports.egress),
      proc: null,
    };
  };
  const all: Target[] = [
    { name: 'direct', port: upPort, launch: () => null, proc: null },
    { name: 'haproxy', port: ports.haproxy, launch: () => start('haproxy', ['-f', path.join(dir, 'haproxy.cfg'), '-db'], proxyCpu), proc: null },
    { name: 'nginx', port: ports.nginx, launch: () => start('nginx', ['-p', dir, '-c', path.join(dir, 'nginx-proxy.conf')], proxyCpu), proc: null },
    {
      name: 'meshform-1',
      port: ports.m1,
      launch: () => start(process.execPath, [...NODE_FLAGS, meshformJs, '--port', String(ports.m1), '--upstream', `127.0.0.1:${upPort}`, '--access-log', '/dev/null'], proxyCpu),
      proc: null,
    },
    {
      name: 'meshform-2',
      port: ports.m2,
      launch: () => start(process.execPath, [...NODE_FLAGS, meshformJs, '--port', String(ports.m2), '--upstream', `127.0.0.1:${upPort}`, '--access-log', '/dev/null', '--concurrency', '2'], PIN ? '0,1' : null),
      proc: null,
    },
    proxyTarget('meshform-proxy-1', 1),
    proxyTarget('meshform-proxy-2', 2),
  ];
  const targets = ONLY === '' ? all : all.filter((t) => t.name === 'direct' || ONLY.split(',').includes(t.name));
  const needsPlane = targets.some((t) => t.name.startsWith('meshform-proxy'));
  // The control plane runs beside the load (CPU 0 when pinned); it is not measured.
  const plane = needsPlane
    ? start(process.execPath, [MESHFORM, 'control-plane', '--config', meshDir, '--xds-port', String(ports.xds), '--monitoring-port', String(ports.monitoring)], loadCpu, path.join(dir, 'control-plane.err'))
    : null;
  for (const t of targets) t.proc = t.launch();
  const procs = [upstream, plane, ...targets.map((t) => t.proc)].filter((p): p is ChildProcess => p !== null);
  const stop = () => {
    stopping = true;
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  };
  process.on('exit', () => {
    stop();
    if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  await waitPort(upPort);
  if (plane !== null) await waitPort(ports.xds);
  for (const t of targets) await (t.ready !== undefined ? t.ready() : waitPort(t.port, t.address));
  if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)]);
  for (const t of targets) {
    const warm = await runFixedRate(urlOf(t), 2000, 1, t.hostHeader);
    if (warm.errors > 0 || warm.completed === 0) throw new Error(`${t.name}: warm-up got ${warm.errors} errors, ${warm.completed} answers`);
  }

  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const fixed = new Map<string, { r: LoadResult; cpu: number }[]>();
  const tput = new Map<string, number[]>();
  const order = (round: number) => targets.map((_, i) => targets[(i + round) % targets.length]);

  for (let round = 0; round < ROUNDS; round++) {
    for (const t of order(round)) {
      const pid = t.proc?.pid;
      const c0 = pid !== undefined ? cpuSeconds([pid]) : 0;
      const r = await runFixedRate(urlOf(t), RATE, SECONDS, t.hostHeader);
      const cpu = pid !== undefined ? cpuSeconds([pid]) - c0 : NaN;
      (fixed.get(t.name) ?? fixed.set(t.name, []).get(t.name)!).push({ r, cpu });
      console.error(`fixed ${RATE}/s round ${round + 1} ${t.name}: p50 ${r.p50Ms.toFixed(3)} p90 ${r.p90Ms.toFixed(3)} p99 ${r.p99Ms.toFixed(3)} ms, cpu ${cpu.toFixed(2)} s, errors ${r.errors}, lag ${r.maxLagMs.toFixed(1)} ms`);
    }
  }
  const rss = new Map<string, number>();
  const anon = new Map<string, number>();
  const file = new Map<string, number>();
  const pss = new Map<string, number>();
  const hwmFixed = new Map<string, number>();
  for (const t of targets) {
    if (t.proc?.pid === undefined) continue;
    rss.set(t.name, memoryMb([t.proc.pid], 'VmRSS'));
    anon.set(t.name, memoryMb([t.proc.pid], 'RssAnon'));
    file.set(t.name, memoryMb([t.proc.pid], 'RssFile'));
    pss.set(t.name, memoryMb([t.proc.pid], 'Pss'));
    hwmFixed.set(t.name, memoryMb([t.proc.pid], 'VmHWM'));
  }
  for (let round = 0; round < (SKIP_WRK ? 0 : ROUNDS); round++) {
    for (const t of order(round)) {
      const rps = wrk(t);
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
    '| target | max req/s (median of rounds) | × HAProxy | p50 / p90 / p99 at ' + RATE + '/s (ms) | added p50 / p90 / p99 (ms) | CPU s per 1k req | vCPU at ' + RATE + '/s | RSS MB at ' + RATE + '/s (RssAnon / RssFile) | PSS MB at ' + RATE + '/s | peak RSS MB (VmHWM, after max load) |',
    '| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |',
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
      } | ${proxied ? ((cpu / completed) * 1000).toFixed(3) : '—'} | ${proxied ? (cpu / seconds).toFixed(3) : '—'} | ${proxied ? `${(rss.get(t.name) ?? NaN).toFixed(1)} (${(anon.get(t.name) ?? NaN).toFixed(1)} / ${(file.get(t.name) ?? NaN).toFixed(1)})` : '—'} | ${proxied ? (pss.get(t.name) ?? NaN).toFixed(1) : '—'} | ${
        proxied && t.proc?.pid !== undefined ? memoryMb([t.proc.pid], 'VmHWM').toFixed(1) : '—'
      } |`,
    );
  }
  const summary: string[] = [
    machineLine(),
    `load average before: ${loadBefore}; after: ${loadAfter}`,
    `rounds: ${ROUNDS} interleaved (order rotated), ${SECONDS} s each; wrk -t2 -c50; fixed rate ${RATE}/s open-loop; pinning: ${PIN ? 'proxy on CPU 1, upstream+load+control plane on CPU 0' : 'none'}`,
    `meshform node flags: ${NODE_FLAGS.length > 0 ? NODE_FLAGS.join(' ') : '(none)'}; meshform command: ${MESHFORM}`,
    '',
    ...rows,
  ];
  finishRun(dir, summary, stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
