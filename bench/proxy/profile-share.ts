/**
 * Where a process's busy time goes, from a V8 CPU profile (`node --cpu-prof`):
 * the share of non-idle samples spent in meshform's own JavaScript, in Node's
 * JavaScript (`node:` modules), in dependencies, in native code V8 does not
 * attribute to a function (`(program)`: libuv, the HTTP parser, syscalls, C++
 * glue), and in garbage collection. Self time only, so each sample counts once.
 *
 *   node lib/bench/proxy/run.js --only meshform-proxy-1 --rounds 1 --skip-wrk \
 *     --node-flags "--cpu-prof --cpu-prof-dir=/tmp/prof"
 *   node lib/bench/proxy/profile-share.js [--window 15] /tmp/prof/*.cpuprofile
 *
 * `--window S` keeps only the S seconds with the most busy time (the load
 * phase, without start-up or shutdown).
 */
import * as fs from 'fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const CATEGORIES = ['meshform', 'node', 'dependencies', 'native', 'gc', 'idle'] as const;
type Category = (typeof CATEGORIES)[number];

function categoryOf(node: ProfileNode): Category {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (url === '') return 'native';
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/node_modules/')) return 'dependencies';
  return 'meshform';
}

/** Indexes [from, to) of the samples in the `seconds` window with the most busy time. */
function busiestWindow(profile: CpuProfile, busy: readonly boolean[], seconds: number): [number, number] {
  const at: number[] = [];
  let clock = 0;
  for (const delta of profile.timeDeltas) at.push((clock += delta));
  let best: [number, number] = [0, at.length];
  let bestBusy = -1;
  let windowBusy = 0;
  let from = 0;
  for (let to = 0; to < at.length; to++) {
    if (busy[to]) windowBusy += profile.timeDeltas[to] ?? 0;
    while ((at[to] ?? 0) - (at[from] ?? 0) > seconds * 1e6) {
      if (busy[from]) windowBusy -= profile.timeDeltas[from] ?? 0;
      from++;
    }
    if (windowBusy > bestBusy) {
      bestBusy = windowBusy;
      best = [from, to + 1];
    }
  }
  return best;
}

export function shares(profile: CpuProfile, windowSeconds = Infinity): { busyMs: number; share: Record<Exclude<Category, 'idle'>, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const categories = profile.samples.map((id) => {
    const node = byId.get(id);
    return node ? categoryOf(node) : 'idle';
  });
  const [from, to] = Number.isFinite(windowSeconds)
    ? busiestWindow(profile, categories.map((c) => c !== 'idle'), windowSeconds)
    : [0, categories.length];
  const time: Record<Category, number> = { meshform: 0, node: 0, dependencies: 0, native: 0, gc: 0, idle: 0 };
  for (let i = from; i < to; i++) time[categories[i] ?? 'idle'] += profile.timeDeltas[i] ?? 0;
  const busy = CATEGORIES.filter((c) => c !== 'idle').reduce((sum, c) => sum + time[c], 0);
  const share = (c: Category): number => (busy > 0 ? time[c] / busy : 0);
  return {
    busyMs: busy / 1000,
    share: { meshform: share('meshform'), node: share('node'), dependencies: share('dependencies'), native: share('native'), gc: share('gc') },
  };
}

function main(argv: string[]): void {
  const w = argv.indexOf('--window');
  const windowSeconds = w >= 0 ? Number(argv[w + 1]) : Infinity;
  const files = argv.filter((a, i) => a !== '--window' && i !== w + 1);
  if (files.length === 0 || Number.isNaN(windowSeconds)) throw new Error('usage: profile-share [--window SECONDS] FILE.cpuprofile...');
  console.log('| profile | busy s | meshform JS | Node JS | dependencies | native (program) | GC |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const file of files) {
    const { busyMs, share } = shares(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, windowSeconds);
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(`| ${file.split('/').pop()} | ${(busyMs / 1000).toFixed(2)} | ${pct(share.meshform)} | ${pct(share.node)} | ${pct(share.dependencies)} | ${pct(share.native)} | ${pct(share.gc)} |`);
  }
}

if (require.main === module) main(process.argv.slice(2));
