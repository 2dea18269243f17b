/**
 * Synthesis benchmark: a generated mesh of N services (two versions each, a
 * VirtualService and a DestinationRule each, sidecars injected at synth time)
 * against the same N services' workloads in plain cdk8s-plus with no mesh.
 *
 * Each measurement runs in a fresh Node process (module loading included, as a
 * user running `cdk8s synth` sees it); the two cases alternate round by round.
 *
 *   npm run build && node lib/bench/synth/run.js [--services 1000] [--rounds 5]
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { CaseResult } from './case';

const CASES = ['plain', 'mesh'] as const;

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got ${process.argv[i + 1]}`);
  return value;
}

function runCase(kind: string, services: number): CaseResult {
  const script = path.join(__dirname, 'case.js');
  const out = execFileSync(process.execPath, [script, kind, String(services)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as CaseResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const services = argument('services', 1000);
  const rounds = argument('rounds', 5);
  const results: Record<string, CaseResult[]> = { plain: [], mesh: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const kind of CASES) {
      const r = runCase(kind, services);
      results[kind].push(r);
      console.log(`round ${round} ${kind.padEnd(5)} wall ${r.wallMs.toFixed(0)} ms (synth ${r.synthMs.toFixed(0)} ms), ${r.objects} objects, ${(r.bytes / 1e6).toFixed(1)} MB YAML, peak RSS ${r.rssMb.toFixed(0)} MB`);
    }
  }
  const plainWall = median(results.plain.map((r) => r.wallMs));
  const meshWall = median(results.mesh.map((r) => r.wallMs));
  const plainSynth = median(results.plain.map((r) => r.synthMs));
  const meshSynth = median(results.mesh.map((r) => r.synthMs));
  console.log('');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`);
  console.log(`services: ${services}, rounds: ${rounds} (medians)`);
  console.log(`| case | wall (process) | synth (construct + render) | objects |`);
  console.log(`| --- | --- | --- | --- |`);
  console.log(`| plain cdk8s-plus | ${(plainWall / 1000).toFixed(2)} s | ${(plainSynth / 1000).toFixed(2)} s | ${results.plain[0].objects} |`);
  console.log(`| meshform mesh | ${(meshWall / 1000).toFixed(2)} s | ${(meshSynth / 1000).toFixed(2)} s | ${results.mesh[0].objects} |`);
  console.log(`ratio mesh/plain: wall ${(meshWall / plainWall).toFixed(2)}×, synth ${(meshSynth / plainSynth).toFixed(2)}×`);
}

main();
