/** `meshform up` argument checks, in process (nothing is started). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../cli/capture';

describe('meshform up: usage errors', () => {
  test('--app and --dir together', async () => {
    const run = await runCli(['up', '--app', 'stacks/main.ts', '--dir', 'dist']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--app and --dir: give one or the other');
  });

  test('a malformed --gateway-port', async () => {
    const run = await runCli(['up', '--gateway-port', '80']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected DECLARED=LOCAL ports such as 80=18080');
  });

  test('an --address-block out of range', async () => {
    const run = await runCli(['up', '--address-block', '256']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a number 0..255');
  });

  test('--dir without manifests', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-up-empty-'));
    try {
      const run = await runCli(['up', '--dir', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--dir: no *.yaml files in ${dir}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
