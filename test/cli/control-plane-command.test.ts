/** `meshform control-plane` flags checked before anything starts. */
import { ensureBuilt, meshform } from '../support/built-lib';

describe('meshform control-plane flags', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  test.each([['-5'], ['1.5'], ['lots']])('--heap-growth-percent %s is refused, naming the flag and what it expects', (value) => {
    const run = meshform(['control-plane', '--config', '.', '--xds-port', '0', '--heap-growth-percent', value]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--heap-growth-percent');
    expect(run.stderr).toContain(`expected a whole number of percent >= 0, got '${value}'`);
  });
});
