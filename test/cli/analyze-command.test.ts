import * as path from 'path';
import { runCli } from './capture';
import { GOOD_YAML, removeDir, ROUTING_YAML, tempDir } from './temp-dir';

const BROKEN_ROUTING = ROUTING_YAML.replace('subset: v1', 'subset: v4');

describe('meshform analyze', () => {
  const dirs: string[] = [];
  const dir = (files: Record<string, string>) => {
    const d = tempDir(files);
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach(removeDir));

  test('correct YAML: exit 0 and no findings', async () => {
    const d = dir({ 'services.yaml': GOOD_YAML, 'routing/reviews.yml': ROUTING_YAML });
    const run = await runCli(['analyze', d]);
    expect(run).toEqual({ code: 0, stdout: 'No issues found in 4 objects in 2 files.\n', stderr: '' });
  });

  test('an undefined subset: exit 1, finding grouped under its file with document, object, field and message', async () => {
    const d = dir({ 'services.yaml': GOOD_YAML, 'bookinfo.yaml': BROKEN_ROUTING });
    const run = await runCli(['analyze', d]);
    const file = path.join(d, 'bookinfo.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe([
      `${file}:`,
      `  error    IST0101  ${file}#2 VirtualService default/reviews  spec.http[0].route[0].destination.subset: subset "v4" of `
        + 'host reviews.default.svc.cluster.local is not defined by any DestinationRule (DestinationRule default/reviews defines "v1")',
      '',
      '1 error, 0 warnings in 4 objects in 2 files.',
      '',
    ].join('\n'));
  });

  test('warnings alone print but exit 0', async () => {
    const d = dir({ 'web.yaml': GOOD_YAML.replace(/version: v1/g, 'tier: web') });
    const run = await runCli(['analyze', path.join(d, 'web.yaml')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning  MF0004');
    expect(run.stdout).toContain('0 errors, 1 warning in 2 objects in 1 file.');
  });

  test('Istio objects are schema-validated (IST0106) with the field path', async () => {
    const bad = ROUTING_YAML.replace('        subset: v1', '        subset: v1\n      weight: 150');
    const d = dir({ 'services.yaml': GOOD_YAML, 'bad.yaml': bad });
    const run = await runCli(['analyze', d]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error {4}IST0106 {2}.*bad\.yaml#2 VirtualService default\/reviews {2}spec\.http\[0\]\.route\[0\]\.weight: /);
  });

  test('a document that is not a Kubernetes object is an error', async () => {
    const d = dir({ 'x.yaml': 'just: a map\n' });
    const run = await runCli(['analyze', d]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('IST0106');
    expect(run.stdout).toContain('not a Kubernetes object: expected apiVersion and kind strings');
  });

  test('--output json gives the findings with file, document and object', async () => {
    const d = dir({ 'services.yaml': GOOD_YAML, 'bookinfo.yaml': BROKEN_ROUTING });
    const run = await runCli(['analyze', '--output', 'json', d]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ objects: 4, errors: 1, warnings: 0 });
    expect(report.findings).toEqual([expect.objectContaining({
      level: 'error', rule: 'IST0101', file: path.join(d, 'bookinfo.yaml'), document: 2, line: 12,
      object: 'VirtualService default/reviews', field: 'spec.http[0].route[0].destination.subset',
    })]);
  });

  test('--suppress drops findings of a rule', async () => {
    const d = dir({ 'services.yaml': GOOD_YAML, 'bookinfo.yaml': BROKEN_ROUTING });
    const run = await runCli(['analyze', '--suppress', 'IST0101', d]);
    expect(run.code).toBe(0);
    const both = await runCli(['analyze', '--suppress', 'MF0004,IST0101', '--suppress', 'IST0118', d]);
    expect(both.stdout).toBe('No issues found in 4 objects in 2 files.\n');
  });

  test('usage errors exit 2: missing path argument, missing file, YAML that does not parse', async () => {
    const none = await runCli(['analyze']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'paths'");

    const d = dir({ 'broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [reviews\n' });
    const missing = await runCli(['analyze', path.join(d, 'nope.yaml')]);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `meshform: ${path.join(d, 'nope.yaml')}: no such file or directory\n` });

    const broken = await runCli(['analyze', d]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`^meshform: ${path.join(d, 'broken.yaml').replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
  });

  test('an unknown output format is a usage error', async () => {
    const d = dir({ 'services.yaml': GOOD_YAML });
    const run = await runCli(['analyze', '--output', 'xml', d]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('xml');
  });

  test('--help exits 0', async () => {
    const run = await runCli(['analyze', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: meshform analyze');
  });
});
