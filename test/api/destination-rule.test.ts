/**
 * DestinationRule: enums, ranges, oneofs and required fields.
 */
import { validateSpec } from '../../constructs/api';

function errorsOf(spec: unknown): string[] {
  const result = validateSpec('DestinationRule', spec);
  return result.ok ? [] : result.errors;
}

test('a missing host is reported', () => {
  expect(errorsOf({ subsets: [{ name: 'v1', labels: { version: 'v1' } }] })).toEqual(['spec.host: required field missing']);
});

test('a wrong load-balancer enum lists the allowed values', () => {
  expect(errorsOf({ host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'FASTEST' } } })).toEqual([
    'spec.trafficPolicy.loadBalancer.simple: expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST, got "FASTEST"',
  ]);
});

test.each(['UNSPECIFIED', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'])('simple %s is accepted', (simple) => {
  expect(errorsOf({ host: 'reviews', trafficPolicy: { loadBalancer: { simple } } })).toEqual([]);
});

test('a wrong TLS mode is rejected', () => {
  expect(errorsOf({ host: 'r', trafficPolicy: { tls: { mode: 'STRICT' } } })).toEqual([
    'spec.trafficPolicy.tls.mode: expected one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL, got "STRICT"',
  ]);
});

describe('maxEjectionPercent (0..100)', () => {
  const od = (maxEjectionPercent: number) => ({ host: 'r', trafficPolicy: { outlierDetection: { maxEjectionPercent } } });
  test.each([0, 100])('accepts %d', (v) => expect(errorsOf(od(v))).toEqual([]));
  test.each([
    [-1, 'spec.trafficPolicy.outlierDetection.maxEjectionPercent: expected integer >= 0, got -1'],
    [101, 'spec.trafficPolicy.outlierDetection.maxEjectionPercent: expected integer <= 100, got 101'],
  ])('rejects %d', (v, message) => expect(errorsOf(od(v))).toEqual([message]));
});

test('simple and consistentHash are exclusive', () => {
  expect(errorsOf({ host: 'r', trafficPolicy: { loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } } })).toEqual([
    'spec.trafficPolicy.loadBalancer: at most one of simple, consistentHash may be set, got simple, consistentHash',
  ]);
});

test('two hash keys are exclusive, also inside subsets', () => {
  const spec = { host: 'r', subsets: [{ name: 'v1', trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x', useSourceIp: true } } } }] };
  expect(errorsOf(spec)).toEqual([
    'spec.subsets[0].trafficPolicy.loadBalancer.consistentHash: at most one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName may be set, got httpHeaderName, useSourceIp',
  ]);
});

test('an unknown field in a nested policy is named', () => {
  expect(errorsOf({ host: 'r', trafficPolicy: { connectionPool: { http: { maxRequestPerConnection: 1 } } } })).toEqual([
    'spec.trafficPolicy.connectionPool.http.maxRequestPerConnection: unknown field',
  ]);
});

test('a subset needs a name', () => {
  expect(errorsOf({ host: 'r', subsets: [{ labels: { version: 'v1' } }] })).toEqual(['spec.subsets[0].name: required field missing']);
});

test('the deprecated consecutiveErrors is still accepted', () => {
  expect(errorsOf({ host: 'r', trafficPolicy: { outlierDetection: { consecutiveErrors: 5 } } })).toEqual([]);
});

test('labels must be strings', () => {
  expect(errorsOf({ host: 'r', subsets: [{ name: 'v1', labels: { version: 1 } }] })).toEqual(['spec.subsets[0].labels.version: expected string, got 1']);
});
