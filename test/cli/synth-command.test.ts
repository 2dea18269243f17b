/**
 * `meshform synth` and `meshform start` (what `npm start` runs): the app's
 * manifests land on disk, the summary says what they hold, context picks the
 * scenario, and a failing synth-time check fails the command with its message.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUILD_DEADLINE_MS, ensureBuilt, meshform, ROOT } from '../support/built-lib';
import { removeDir, tempDir } from './temp-dir';

const APP = path.join(ROOT, 'lib/stacks/main.js');

describe('meshform synth / start (built command, own process)', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir({});
  }, BUILD_DEADLINE_MS + 10_000);
  afterAll(() => removeDir(dir));

  test('synth writes the app manifests and summarizes them', () => {
    const out = path.join(dir, 'default');
    const run = meshform(['synth', '--app', APP, '--output', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const yaml = fs.readFileSync(path.join(out, 'bookinfo.k8s.yaml'), 'utf8');
    expect(yaml).toContain('kind: VirtualService');
    expect(run.stdout).toMatch(/Synthesized \d+ objects into .*bookinfo\.k8s\.yaml/);
    expect(run.stdout).toMatch(/\s+9 {2}CustomResourceDefinition\n/);
    expect(run.stdout).toContain('VirtualService default/reviews');
  });

  test('--context picks the scenario', () => {
    const out = path.join(dir, 'split');
    const run = meshform(['synth', '--app', APP, '--output', out, '--context', 'scenario=split-50']);
    expect(run.code).toBe(0);
    const yaml = fs.readFileSync(path.join(out, 'bookinfo.k8s.yaml'), 'utf8');
    expect(yaml).toMatch(/subset: v1\n\s+weight: 50/);
  });

  test('a failing synth-time check fails the command and names the construct and what was expected', () => {
    const run = meshform(['synth', '--app', APP, '--output', path.join(dir, 'bad'), '--context', 'scenario=v4-only']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bookinfo: scenario must be one of all-v1, jason-v2, split-50, ratings-delay (got "v4-only")');
  });

  test('a broken --context pair is a usage error', () => {
    const run = meshform(['synth', '--app', APP, '--output', path.join(dir, 'x'), '--context', 'scenario']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--context: expected key=value, got "scenario"');
  });

  test('start --synth-only synthesizes bookinfo into the output directory and reports a clean analysis', () => {
    const work = tempDir({});
    try {
      const run = meshform(['start', '--synth-only', '--output', 'out'], work);
      expect(run.code).toBe(0);
      expect(fs.existsSync(path.join(work, 'out/bookinfo.k8s.yaml'))).toBe(true);
      expect(run.stdout).toContain('Analysis: No issues found');
      expect(run.stdout).toContain('kubectl apply -f out/');
    } finally {
      removeDir(work);
    }
  });
});
