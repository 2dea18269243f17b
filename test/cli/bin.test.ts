import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GOOD_YAML, removeDir, ROUTING_YAML, tempDir } from './temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/meshform');
const BUILT = path.join(ROOT, 'lib/runtime/cli/main.js');
/** Sources the built command depends on most directly: rebuild lib/ when one is newer. */
const SOURCES = ['runtime/cli', 'runtime/config', 'constructs/analysis', 'constructs/api'];
const BUILD_DEADLINE_MS = 180_000;

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

/** Builds lib/ with the project's own `tsc` when it is missing or older than the sources. */
function ensureBuilt(): void {
  if (fs.existsSync(BUILT) && fs.statSync(BUILT).mtimeMs >= newestSource()) return;
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: ROOT, encoding: 'utf8', timeout: BUILD_DEADLINE_MS,
  });
  // tsc emits even when files elsewhere in the tree have type errors; what matters is the output below.
  if (!fs.existsSync(BUILT)) throw new Error(`tsc did not produce ${BUILT}:\n${tsc.stdout}${tsc.stderr}`);
}

function meshform(args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('bin/meshform analyze (built command, own process)', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir({
      'good/services.yaml': GOOD_YAML,
      'good/routing.yaml': ROUTING_YAML,
      'broken/services.yaml': GOOD_YAML,
      'broken/routing.yaml': ROUTING_YAML.replace('subset: v1', 'subset: v4'),
    });
  }, BUILD_DEADLINE_MS + 10_000);
  afterAll(() => removeDir(dir));

  test('good YAML exits 0', () => {
    const run = meshform(['analyze', path.join(dir, 'good')]);
    expect(run).toEqual({ code: 0, stdout: 'No issues found in 4 objects in 2 files.\n', stderr: '' });
  });

  test('broken YAML exits 1 and names file, object, field and problem', () => {
    const run = meshform(['analyze', path.join(dir, 'broken')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${path.join(dir, 'broken/routing.yaml')}#2 VirtualService default/reviews  `
      + 'spec.http[0].route[0].destination.subset: subset "v4" of host reviews.default.svc.cluster.local is not defined');
  });

  test('a missing path exits 2', () => {
    const run = meshform(['analyze', path.join(dir, 'nope')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file or directory');
  });
});
