/** `meshform proxy` flags checked before anything starts. */
import { ensureBuilt, meshform } from '../support/built-lib';

describe('meshform proxy flags', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  test('--xds-protocol accepts sotw or delta only, and says so', () => {
    const run = meshform(['proxy', '--xds-address', '127.0.0.1:15010', '--node-id', 'sidecar~127.0.0.1~a.default~default.svc.cluster.local', '--xds-protocol', 'incremental']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--xds-protocol');
    expect(run.stderr).toContain("expected sotw or delta, got 'incremental'");
  });
});
