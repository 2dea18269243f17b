/**
 * VirtualService: invalid specs fail with messages that name the field, what is
 * expected and what was received; validated ranges are tested at their boundaries.
 */
import { validateSpec, VirtualServiceSpec } from '../../constructs/api';

function errorsOf(spec: unknown): string[] {
  const result = validateSpec('VirtualService', spec);
  return result.ok ? [] : result.errors;
}

const route = (weight: number): VirtualServiceSpec => ({
  hosts: ['reviews'],
  http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 0 }, { destination: { host: 'reviews', subset: 'v2' }, weight }] }],
});

describe('route weight (0..100)', () => {
  test.each([0, 100])('accepts %d', (weight) => {
    expect(errorsOf(route(weight))).toEqual([]);
  });

  test.each([
    [-1, 'spec.http[0].route[1].weight: expected integer >= 0, got -1'],
    [101, 'spec.http[0].route[1].weight: expected integer <= 100, got 101'],
    [150, 'spec.http[0].route[1].weight: expected integer <= 100, got 150'],
    [50.5, 'spec.http[0].route[1].weight: expected integer, got 50.5'],
  ])('rejects %d', (weight, message) => {
    expect(errorsOf(route(weight))).toEqual([message]);
  });
});

describe('percentages (0..100)', () => {
  const mirrored = (value: number) => ({
    hosts: ['reviews'],
    http: [{ route: [{ destination: { host: 'reviews' } }], mirror: { host: 'reviews', subset: 'v3' }, mirrorPercentage: { value } }],
  });
  test.each([0, 0.5, 100])('accepts %d', (value) => expect(errorsOf(mirrored(value))).toEqual([]));
  test('rejects -1', () => {
    expect(errorsOf(mirrored(-1))).toEqual(['spec.http[0].mirrorPercentage.value: expected number >= 0, got -1']);
  });
  test('rejects 101', () => {
    expect(errorsOf(mirrored(101))).toEqual(['spec.http[0].mirrorPercentage.value: expected number <= 100, got 101']);
  });
  test('fault abort percentage is checked too', () => {
    const spec = { hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], fault: { abort: { httpStatus: 503, percentage: { value: 101 } } } }] };
    expect(errorsOf(spec)).toEqual(['spec.http[0].fault.abort.percentage.value: expected number <= 100, got 101']);
  });
});

describe('redirectCode (300..399)', () => {
  const redirect = (redirectCode: number) => ({ hosts: ['r'], http: [{ redirect: { uri: '/new', redirectCode } }] });
  test.each([300, 301, 399])('accepts %d', (code) => expect(errorsOf(redirect(code))).toEqual([]));
  test.each([
    [299, 'spec.http[0].redirect.redirectCode: expected integer >= 300, got 299'],
    [400, 'spec.http[0].redirect.redirectCode: expected integer <= 399, got 400'],
  ])('rejects %d', (code, message) => expect(errorsOf(redirect(code))).toEqual([message]));
});

describe('ports (1..65535)', () => {
  const withPort = (number: number) => ({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r', port: { number } } }] }] });
  test.each([1, 65535])('accepts %d', (n) => expect(errorsOf(withPort(n))).toEqual([]));
  test.each([
    [0, 'spec.http[0].route[0].destination.port.number: expected integer >= 1, got 0'],
    [65536, 'spec.http[0].route[0].destination.port.number: expected integer <= 65535, got 65536'],
  ])('rejects %d', (n, message) => expect(errorsOf(withPort(n))).toEqual([message]));
});

describe('directResponse status (200..599)', () => {
  const direct = (status: number) => ({ hosts: ['r'], http: [{ directResponse: { status, body: { bytes: 'b2s=' } } }] });
  test.each([200, 599])('accepts %d', (s) => expect(errorsOf(direct(s))).toEqual([]));
  test.each([199, 600])('rejects %d', (s) => expect(errorsOf(direct(s))).toHaveLength(1));
});

describe('shape errors', () => {
  test('an unknown field is named', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ rout: [{ destination: { host: 'r' } }] }] })).toEqual(['spec.http[0].rout: unknown field']);
  });

  test('an unknown top-level field is named', () => {
    expect(errorsOf({ host: ['r'] })).toEqual(['spec.host: unknown field']);
  });

  test('a missing destination host is reported', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ route: [{ destination: { subset: 'v1' } }] }] })).toEqual([
      'spec.http[0].route[0].destination.host: required field missing',
    ]);
  });

  test('a StringMatch with two kinds is rejected', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'r' } }] }] })).toEqual([
      'spec.http[0].match[0].uri: expected exactly one of exact, prefix, regex, got exact, prefix',
    ]);
  });

  test('a typo inside a StringMatch is named', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ match: [{ uri: { prefx: '/a' } }] }] })).toEqual(['spec.http[0].match[0].uri.prefx: unknown field']);
  });

  test('header names that are not identifiers are quoted in the path', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ match: [{ headers: { 'end-user': { exact: 7 } } }] }] })).toEqual([
      'spec.http[0].match[0].headers["end-user"].exact: expected string, got 7',
    ]);
  });

  test('durations must look like durations', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], timeout: '10 seconds' }] })).toEqual([
      'spec.http[0].timeout: expected a duration such as "3s", "0.5s" or "100ms", got "10 seconds"',
    ]);
  });

  test.each(['3s', '0.5s', '100ms', '1h30m', '250us'])('duration %s is accepted', (timeout) => {
    expect(errorsOf({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], timeout }] })).toEqual([]);
  });

  test('route, redirect and directResponse are mutually exclusive', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], redirect: { uri: '/x' } }] })).toEqual([
      'spec.http[0]: at most one of route, redirect, directResponse, delegate may be set, got route, redirect',
    ]);
  });

  test('retries attempts must not be negative', () => {
    expect(errorsOf({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], retries: { attempts: -1 } }] })).toEqual([
      'spec.http[0].retries.attempts: expected integer >= 0, got -1',
    ]);
  });

  test('a TLS route needs sniHosts', () => {
    expect(errorsOf({ hosts: ['r'], tls: [{ match: [{ port: 443 }], route: [{ destination: { host: 'r' } }] }] })).toEqual([
      'spec.tls[0].match[0].sniHosts: required field missing',
    ]);
  });

  test('several errors are all reported', () => {
    expect(errorsOf({ hosts: 'r', http: [{ timeout: 3 }] })).toEqual(['spec.hosts: expected array, got "r"', 'spec.http[0].timeout: expected string, got 3']);
  });
});
