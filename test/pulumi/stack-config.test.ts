import { MTLS_MODES, parseStackConfig, StackConfigError } from '../../constructs/pulumi/stack-config';

const SCENARIOS = ['all-v1', 'jason-v2', 'split-50', 'ratings-delay'] as const;
const OPTIONS = { scenarios: SCENARIOS, defaultScenario: 'jason-v2' as const };

function errorOf(raw: Record<string, string | undefined>): string {
  try {
    parseStackConfig(raw, OPTIONS);
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a StackConfigError');
}

describe('parseStackConfig', () => {
  test('an empty config yields the defaults (unset optional values defer to the chart)', () => {
    expect(parseStackConfig({}, OPTIONS)).toEqual({ scenario: 'jason-v2', namespace: 'default', image: undefined, replicas: undefined, mtls: undefined });
  });

  test('overrides are typed', () => {
    const config = parseStackConfig(
      { 'meshform:scenario': 'split-50', 'meshform:namespace': 'shop', 'meshform:image': 'example/reviews:2', 'meshform:replicas': '3', 'meshform:mtls': 'PERMISSIVE' },
      OPTIONS,
    );
    expect(config).toEqual({ scenario: 'split-50', namespace: 'shop', image: 'example/reviews:2', replicas: 3, mtls: 'PERMISSIVE' });
  });

  test('keys of other namespaces are ignored', () => {
    expect(parseStackConfig({ 'kubernetes:context': 'kind-mesh', 'other:replicas': 'x' }, OPTIONS).scenario).toBe('jason-v2');
  });

  test.each(MTLS_MODES)('mTLS mode %s is accepted', (mode) => {
    expect(parseStackConfig({ 'meshform:mtls': mode }, OPTIONS).mtls).toBe(mode);
  });

  test('an unknown scenario names the key, the allowed values and the value received', () => {
    expect(errorOf({ 'meshform:scenario': 'canary' })).toContain('meshform:scenario: must be one of all-v1, jason-v2, split-50, ratings-delay (got "canary")');
  });

  test('an invalid mTLS mode names the key, the allowed values and the value received', () => {
    expect(errorOf({ 'meshform:mtls': 'strict' })).toContain('meshform:mtls: must be one of STRICT, PERMISSIVE, DISABLE (got "strict")');
  });

  test.each(['0', '-1', '1.5', 'two', '', '01'])('replicas %j is rejected', (value) => {
    expect(errorOf({ 'meshform:replicas': value })).toContain(`meshform:replicas: must be a positive integer (1, 2, 3, ...) (got ${JSON.stringify(value)})`);
  });

  test('replicas boundaries: 1 is the smallest accepted value', () => {
    expect(parseStackConfig({ 'meshform:replicas': '1' }, OPTIONS).replicas).toBe(1);
    expect(parseStackConfig({ 'meshform:replicas': '250' }, OPTIONS).replicas).toBe(250);
  });

  test('a namespace that is not a DNS label is rejected; 63 characters is the longest accepted', () => {
    expect(errorOf({ 'meshform:namespace': 'Shop_1' })).toContain('meshform:namespace: must be a DNS label');
    expect(errorOf({ 'meshform:namespace': '1shop' })).toContain('(got "1shop")');
    expect(errorOf({ 'meshform:namespace': 'shop-' })).toContain('(got "shop-")');
    expect(errorOf({ 'meshform:namespace': 'a'.repeat(64) })).toContain('meshform:namespace');
    expect(parseStackConfig({ 'meshform:namespace': 'a'.repeat(63) }, OPTIONS).namespace).toBe('a'.repeat(63));
  });

  test('an empty image is rejected', () => {
    expect(errorOf({ 'meshform:image': ' ' })).toContain('meshform:image: must be a container image reference');
  });

  test('a misspelt meshform key is reported with the known keys', () => {
    expect(errorOf({ 'meshform:replica': '2' })).toContain(
      'meshform:replica: not a meshform setting (known keys: meshform:namespace, meshform:image, meshform:replicas, meshform:mtls, meshform:scenario)',
    );
  });

  test('every problem is reported at once', () => {
    const message = errorOf({ 'meshform:scenario': 'x', 'meshform:replicas': '0', 'meshform:mtls': 'ON' });
    expect(message.split('\n')).toHaveLength(4);
    expect(message).toMatch(/^invalid Pulumi stack configuration:/);
  });
});
