import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '../..');
/** The `meshform` command. */
export const BIN = path.join(ROOT, 'bin/meshform');
const BUILT = path.join(ROOT, 'lib/runtime/cli/main.js');
/** What the built command and app are compiled from: rebuild lib/ when one is newer. */
const SOURCES = ['runtime', 'constructs', 'stacks'];
/** How long a build of lib/ may take. */
export const BUILD_DEADLINE_MS = 180_000;

function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) fs.readdirSync(p).forEach((e) => visit(path.join(p, e)));
    else if (p.endsWith('.ts')) newest = Math.max(newest, stat.mtimeMs);
  };
  SOURCES.map((s) => path.join(ROOT, s)).filter((s) => fs.existsSync(s)).forEach(visit);
  return newest;
}

/**
 * Builds lib/ with the project's own `tsc` when it is missing or older than the
 * sources (`npm test` builds it first, so this matters when one suite runs alone).
 */
export function ensureBuilt(): void {
  if (fs.existsSync(BUILT) && fs.statSync(BUILT).mtimeMs >= newestSource()) return;
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: ROOT, encoding: 'utf8', timeout: BUILD_DEADLINE_MS,
  });
  // tsc emits even when files elsewhere in the tree have type errors; what matters is the output below.
  if (!fs.existsSync(BUILT)) throw new Error(`tsc did not produce ${BUILT}:\n${tsc.stdout}${tsc.stderr}`);
}

/** Runs the built `meshform` command in its own process. */
export function meshform(args: readonly string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
