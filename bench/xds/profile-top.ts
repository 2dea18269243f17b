/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `run.js --cpu-prof`
 * writes for the control plane): the functions with the most self time and
 * the most inclusive time (each function counted once per sample even when
 * recursive), with file and line relative to the repository.
 *
 *   node lib/bench/xds/profile-top.js FILE.cpuprofile [--self 25] [--inclusive 40] [--last SECONDS]
 *
 * `--last` keeps only the samples of the profile's last SECONDS (the last
 * measured change of a run, say).
 */
import * as fs from 'fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*?\/(lib|node_modules)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

export function summarise(profile: CpuProfile, selfCount = 25, inclusiveCount = 40, lastSeconds = Infinity): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeOf = new Map<number, number>();
  const at: number[] = [];
  let clock = 0;
  for (const delta of profile.timeDeltas) at.push((clock += delta));
  const from = clock - lastSeconds * 1e6;
  profile.samples.forEach((id, i) => {
    if ((at[i] ?? 0) >= from) timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of timeOf) {
    total += micros;
    const node = byId.get(id);
    if (!node) continue;
    const own = label(node.callFrame);
    self.set(own, (self.get(own) ?? 0) + micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (!n) break;
      const key = label(n.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  const top = (m: Map<string, number>, count: number): string[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `total sampled: ${(total / 1e6).toFixed(1)} s`,
    'self time:',
    ...top(self, selfCount),
    'inclusive time:',
    ...top(inclusive, inclusiveCount),
  ].join('\n');
}

function main(argv: string[]): void {
  const file = argv[0];
  if (!file) throw new Error('usage: profile-top FILE.cpuprofile [--self N] [--inclusive N] [--last SECONDS]');
  const count = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  console.log(summarise(profile, count('self', 25), count('inclusive', 40), count('last', Infinity)));
}

if (require.main === module) main(process.argv.slice(2));
