import * as path from 'path';
import { BUILD_DEADLINE_MS, ensureBuilt, meshform } from '../support/built-lib';
import { GOOD_YAML, removeDir, ROUTING_YAML, tempDir } from './temp-dir';

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
