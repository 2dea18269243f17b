/**
 * mTLS between two `meshform proxy` sidecars versus plaintext, side by side in
 * one run. Two meshes run at once, each with its own `meshform control-plane`
 * and config directory, each with the path
 *
 *   load → client sidecar (Sidecar egress listener) → server sidecar (Sidecar
 *   ingress listener, defaultEndpoint) → nginx serving a static 1 KiB file
 *
 * - `mtls`: the control plane runs the mesh CA (`--ca-dir`,
 *   `--bootstrap-secret-file`), both proxies get a bootstrap token
 *   (`--bootstrap-token-file`, `--service-account`), PeerAuthentication STRICT,
 *   the server workload carries `security.istio.io/tlsMode: istio` (auto mTLS).
 * - `plaintext`: no CA, no tokens, PeerAuthentication DISABLE.
 *
 * Both meshes share the one nginx. Before measuring, the run checks that the
 * STRICT server sidecar refuses a plaintext request and the DISABLE one serves
 * it. Rounds are interleaved (order rotated each round). The control planes
 * are not measured; CPU and memory are the sum over both proxies' process trees.
 *
 *   npx tsc -p tsconfig.json
 *   node lib/bench/proxy/mtls.js [--rounds 3] [--seconds 10] [--rate 1000] [--skip-wrk] [--keep] [--meshform bin/meshform]
 *
 * Figures: p50/p90/p99 at a fixed rate (open-loop, keep-alive, loadgen.ts), the
 * latency mTLS adds over plaintext, proxy CPU seconds per 1,000 requests
 * (utime+stime from /proc/<pid>/stat), VmRSS after the fixed-rate phase and
 * VmHWM at the end, and max throughput (wrk -t2 -c50).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launcherProxyIdentity } from '../../runtime/control-plane';
import { runFixedRate, LoadResult } from './loadgen';
import { args, cpuSeconds, finishRun, freePort, httpStatus, machineLine, memoryMb, MESHFORM, sleep, waitPort } from './proc';

const argv = process.argv.slice(2);
const { flag, opt } = args;
const ROUNDS = Number(opt('rounds', '3'));
const SECONDS = Number(opt('seconds', '10'));
const RATE = Number(opt('rate', '1000'));
const SKIP_WRK = flag('skip-wrk');
const KEEP = flag('keep');
const TRUST_DOMAIN = 'cluster.local';

let stopping = false;
const procs: ChildProcess[] = [];

function start(cmd: string, args: string[], stderr: string, env?: Record<string, string>): ChildProcess {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', fs.openSync(stderr, 'a')], env: { ...process.env, ...(env ?? {}) } });
  p.on('exit', (code, sig) => {
    if (!stopping) console.error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} exited (${code ?? sig}); see ${stderr}`);
  });
  procs.push(p);
  return p;
}

interface Mesh {
  readonly name: 'mtls' | 'plaintext';
  readonly clientIp: string;
  readonly serverIp: string;
  readonly servicePort: number;
  readonly hostHeader: string;
  readonly url: string;
  /** Client and server proxy pids (their process trees are measured). */
  readonly pids: number[];
}

/** Service `reviews` (one WorkloadEntry: the server sidecar), the client's egress Sidecar, the server's ingress Sidecar, and the PeerAuthentication. */
function meshYaml(m: { clientIp: string; serverIp: string; servicePort: number; upPort: number; mtls: boolean }): string {
  return `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: default }
spec:
  selector: { app: reviews }
  ports: [{ name: http, port: ${m.servicePort} }]
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-0, namespace: default }
spec:
  address: ${m.serverIp}
  ports: { http: ${m.servicePort} }
  serviceAccount: reviews
  labels: { app: reviews${m.mtls ? ', security.istio.io/tlsMode: istio' : ''} }
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: client, namespace: default }
spec:
  workloadSelector: { labels: { app: client } }
  egress:
  - port: { number: ${m.servicePort}, protocol: HTTP, name: http }
    bind: ${m.clientIp}
    captureMode: NONE
    hosts: ["./*"]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: reviews, namespace: default }
spec:
  workloadSelector: { labels: { app: reviews } }
  ingress:
  - port: { number: ${m.servicePort}, protocol: HTTP, name: http }
    bind: ${m.serverIp}
    captureMode: NONE
    defaultEndpoint: 127.0.0.1:${m.upPort}
  egress:
  - hosts: ["./*"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: default }
spec:
  mtls: { mode: ${m.mtls ? 'STRICT' : 'DISABLE'} }
`;
}

async function startMesh(dir: string, name: 'mtls' | 'plaintext', block: number, upPort: number): Promise<Mesh> {
  const mtls = name === 'mtls';
  const clientIp = `127.0.${block}.1`;
  const serverIp = `127.0.${block}.2`;
  const servicePort = await freePort();
  const xds = await freePort();
  const monitoring = await freePort();
  const meshDir = path.join(dir, name);
  const configDir = path.join(meshDir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'mesh.yaml'), meshYaml({ clientIp, serverIp, servicePort, upPort, mtls }));
  const caDir = path.join(meshDir, 'ca');
  const secretFile = path.join(caDir, 'bootstrap-secret');
  // Identity flags and tokens first: minting creates the bootstrap secret the control plane then reads.
  const identity = (sa: string): string[] => {
    if (!mtls) return [];
    const creds = launcherProxyIdentity(caDir, { trustDomain: TRUST_DOMAIN, namespace: 'default', serviceAccount: sa });
    const tokenFile = path.join(meshDir, `${sa}.token`);
    fs.writeFileSync(tokenFile, creds.env.MESHFORM_BOOTSTRAP_TOKEN ?? '', { mode: 0o600 });
    return ['--bootstrap-token-file', tokenFile, ...creds.args];
  };
  if (mtls) fs.mkdirSync(caDir, { recursive: true });
  const clientIdentity = identity('client');
  const serverIdentity = identity('reviews');
  start(process.execPath, [
    MESHFORM, 'control-plane', '--config', configDir, '--xds-port', String(xds), '--monitoring-port', String(monitoring),
    ...(mtls ? ['--ca-dir', caDir, '--bootstrap-secret-file', secretFile, '--trust-domain', TRUST_DOMAIN] : []),
  ], path.join(meshDir, 'control-plane.err'));
  await waitPort(xds);
  const proxy = async (ip: string, pod: string, app: string, ids: string[]): Promise<ChildProcess> => {
    const admin = await freePort();
    const p = start(process.execPath, [
      MESHFORM, 'proxy', '--xds-address', `127.0.0.1:${xds}`,
      '--node-id', `sidecar~${ip}~${pod}.default~default.svc.cluster.local`, '--namespace', 'default', '--labels', `app=${app}`,
      '--admin-port', String(admin), '--concurrency', '1', ...ids,
      // access log on (the default): standard output, which start() sends to /dev/null
    ], path.join(meshDir, `${pod}.err`));
    for (let i = 0; i < 600 && (await httpStatus('127.0.0.1', admin, '/ready')) !== 200; i++) await sleep(50);
    if ((await httpStatus('127.0.0.1', admin, '/ready')) !== 200) throw new Error(`${name} ${pod}: admin /ready never answered 200`);
    return p;
  };
  const server = await proxy(serverIp, 'reviews-0', 'reviews', serverIdentity);
  const client = await proxy(clientIp, 'client-0', 'client', clientIdentity);
  await waitPort(servicePort, serverIp);
  await waitPort(servicePort, clientIp);
  const hostHeader = `reviews:${servicePort}`;
  const url = `http://${clientIp}:${servicePort}/1k.bin`;
  // The path answers, and the server sidecar's inbound listener is in the intended mode.
  let status = 0;
  for (let i = 0; i < 200 && status !== 200; i++) {
    status = await httpStatus(clientIp, servicePort, '/1k.bin', hostHeader);
    if (status !== 200) await sleep(100);
  }
  if (status !== 200) throw new Error(`${name}: GET through the client sidecar answered ${status}`);
  const plainToServer = await httpStatus(serverIp, servicePort, '/1k.bin', hostHeader);
  if (mtls && plainToServer === 200) throw new Error('mtls: the STRICT server sidecar served a plaintext request');
  if (!mtls && plainToServer !== 200) throw new Error(`plaintext: the DISABLE server sidecar answered ${plainToServer} to plaintext`);
  console.error(`${name}: ready (plaintext straight to the server sidecar: ${plainToServer === 0 ? 'refused' : plainToServer})`);
  return { name, clientIp, serverIp, servicePort, hostHeader, url, pids: [client.pid ?? -1, server.pid ?? -1] };
}

function wrk(url: string, hostHeader: string): number {
  const out = execFileSync('wrk', ['-t2', '-c50', `-d${SECONDS}s`, '-H', `Host: ${hostHeader}`, url], { encoding: 'utf8' });
  if (/Non-2xx|Socket errors/.test(out)) {
    console.error(out);
    return NaN; // errors are not throughput
  }
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return m === null ? NaN : Number(m[1]);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-bench-mtls-'));
  fs.chmodSync(dir, 0o755); // nginx workers run unprivileged
  fs.writeFileSync(path.join(dir, '1k.bin'), Buffer.alloc(1024, 'x'), { mode: 0o644 });
  const stop = (): void => {
    stopping = true;
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  };
  process.on('exit', () => {
    stop();
    if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  const upPort = await freePort();
  fs.writeFileSync(
    path.join(dir, 'upstream.conf'),
    `daemon off; master_process on; worker_processes 1; pid ${dir}/upstream.pid; error_log ${dir}/upstream.err warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s; open_file_cache max=10;
  server { listen 127.0.0.1:${upPort} backlog=4096; root ${dir}; location / { } } }
`,
  );
  start('nginx', ['-p', dir, '-c', path.join(dir, 'upstream.conf')], path.join(dir, 'nginx.err'));
  await waitPort(upPort);
  const meshes = [await startMesh(dir, 'mtls', 91, upPort), await startMesh(dir, 'plaintext', 92, upPort)];
  for (const m of meshes) {
    const warm = await runFixedRate(m.url, 2000, 1, m.hostHeader);
    if (warm.errors > 0 || warm.completed === 0) throw new Error(`${m.name}: warm-up got ${warm.errors} errors, ${warm.completed} answers`);
  }

  const uptime = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();
  const loadBefore = uptime();
  const fixed = new Map<string, { r: LoadResult; cpu: number }[]>();
  const tput = new Map<string, number[]>();
  const order = (round: number): Mesh[] => meshes.map((_, i) => meshes[(i + round) % meshes.length]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of order(round)) {
      const c0 = cpuSeconds(m.pids);
      const r = await runFixedRate(m.url, RATE, SECONDS, m.hostHeader);
      const cpu = cpuSeconds(m.pids) - c0;
      (fixed.get(m.name) ?? fixed.set(m.name, []).get(m.name)!).push({ r, cpu });
      console.error(`fixed ${RATE}/s round ${round + 1} ${m.name}: p50 ${r.p50Ms.toFixed(3)} p90 ${r.p90Ms.toFixed(3)} p99 ${r.p99Ms.toFixed(3)} ms, cpu ${cpu.toFixed(2)} s, errors ${r.errors}, conns ${r.connections}, lag ${r.maxLagMs.toFixed(1)} ms`);
    }
  }
  const rss = new Map(meshes.map((m) => [m.name, memoryMb(m.pids, 'VmRSS')] as const));
  for (let round = 0; round < (SKIP_WRK ? 0 : ROUNDS); round++) {
    for (const m of order(round)) {
      const rps = wrk(m.url, m.hostHeader);
      (tput.get(m.name) ?? tput.set(m.name, []).get(m.name)!).push(rps);
      console.error(`wrk round ${round + 1} ${m.name}: ${rps.toFixed(0)} req/s`);
    }
  }
  const loadAfter = uptime();

  type Q = 'p50Ms' | 'p90Ms' | 'p99Ms';
  const pct = (name: string, q: Q): number => median((fixed.get(name) ?? []).map((x) => x.r[q]));
  const cpuPer1k = (name: string): number => {
    const f = fixed.get(name) ?? [];
    return (f.reduce((a, x) => a + x.cpu, 0) / f.reduce((a, x) => a + x.r.completed, 0)) * 1000;
  };
  const errors = (name: string): number => (fixed.get(name) ?? []).reduce((a, x) => a + x.r.errors, 0);
  const rows = [
    `| path (client sidecar → server sidecar → nginx) | max req/s (wrk, median) | p50 / p90 / p99 at ${RATE}/s (ms, median of rounds) | CPU s per 1k req (both proxies) | vCPU at ${RATE}/s | RSS MB at ${RATE}/s (both) | peak RSS MB (VmHWM, both) | errors | generator max lag per round (ms) |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...meshes.map((m) =>
      `| ${m.name === 'mtls' ? 'mTLS (STRICT, mesh CA)' : 'plaintext (DISABLE, no CA)'} | ${median(tput.get(m.name) ?? []).toFixed(0)} | ${pct(m.name, 'p50Ms').toFixed(3)} / ${pct(m.name, 'p90Ms').toFixed(3)} / ${pct(m.name, 'p99Ms').toFixed(3)} | ${cpuPer1k(m.name).toFixed(3)} | ${((cpuPer1k(m.name) * RATE) / 1000).toFixed(3)} | ${(rss.get(m.name) ?? NaN).toFixed(1)} | ${memoryMb(m.pids, 'VmHWM').toFixed(1)} | ${errors(m.name)} | ${(fixed.get(m.name) ?? []).map((x) => x.r.maxLagMs.toFixed(0)).join(' / ')} |`),
  ];
  const d = (q: Q): string => (pct('mtls', q) - pct('plaintext', q)).toFixed(3);
  const ratio = (a: number, b: number): string => (a / b).toFixed(2);
  const summary: string[] = [
    `command: node lib/bench/proxy/mtls.js ${argv.join(' ')}`.trimEnd(),
    machineLine(),
    `uptime before: ${loadBefore}`,
    `uptime after:  ${loadAfter}`,
    `rounds: ${ROUNDS} interleaved (order rotated), ${SECONDS} s each; fixed rate ${RATE}/s open-loop keep-alive; wrk -t2 -c50 -d${SECONDS}s; each proxy 1 worker, access log on; no pinning`,
    '',
    ...rows,
    '',
    `mTLS over plaintext: added latency p50 / p90 / p99 ${d('p50Ms')} / ${d('p90Ms')} / ${d('p99Ms')} ms; CPU per request × ${ratio(cpuPer1k('mtls'), cpuPer1k('plaintext'))}; max throughput × ${ratio(median(tput.get('mtls') ?? []), median(tput.get('plaintext') ?? []))}; RSS × ${ratio(rss.get('mtls') ?? NaN, rss.get('plaintext') ?? NaN)}`,
  ];
  finishRun(dir, summary, stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
