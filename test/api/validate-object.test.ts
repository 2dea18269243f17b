/**
 * validateObject: apiVersion/kind known, metadata.name a DNS-1123 name, spec validated.
 */
import { validateObject, findKind } from '../../constructs/api';

const base = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' }, spec: { host: 'reviews' } };

test('a valid manifest is returned as is', () => {
  expect(validateObject(base)).toEqual({ ok: true, value: base });
});

test('older served versions are accepted', () => {
  expect(validateObject({ ...base, apiVersion: 'networking.istio.io/v1beta1' }).ok).toBe(true);
  expect(validateObject({ ...base, apiVersion: 'networking.istio.io/v1alpha3' }).ok).toBe(true);
  expect(findKind('security.istio.io/v1beta1', 'PeerAuthentication')?.kind).toBe('PeerAuthentication');
});

test('an unknown apiVersion or kind is reported', () => {
  expect(validateObject({ ...base, apiVersion: 'networking.istio.io/v2' })).toEqual({
    ok: false,
    errors: ['kind: unknown kind DestinationRule in networking.istio.io/v2'],
  });
  expect(validateObject({ ...base, kind: 'DestinationRules' }).ok).toBe(false);
  expect(validateObject({ ...base, apiVersion: undefined })).toEqual({ ok: false, errors: ['apiVersion: expected string, got nothing'] });
});

test('metadata.name is required and must be a DNS-1123 name', () => {
  expect(validateObject({ ...base, metadata: {} })).toEqual({ ok: false, errors: ['metadata.name: required field missing'] });
  expect(validateObject({ ...base, metadata: { name: 'Reviews_V1' } })).toEqual({
    ok: false,
    errors: [`metadata.name: expected a DNS-1123 name (lowercase alphanumerics, '-' and '.'), got "Reviews_V1"`],
  });
  expect(validateObject({ ...base, metadata: { name: 'reviews.v1' } }).ok).toBe(true);
  expect(validateObject({ ...base, metadata: { name: 'x'.repeat(254) } }).ok).toBe(false);
});

test('metadata.namespace must be a DNS-1123 label', () => {
  expect(validateObject({ ...base, metadata: { name: 'a', namespace: 'my.ns' } })).toEqual({
    ok: false,
    errors: ['metadata.namespace: expected a DNS-1123 label, got "my.ns"'],
  });
});

test('spec errors are prefixed with spec', () => {
  expect(validateObject({ ...base, spec: { host: 'r', subsets: [{ nam: 'v1' }] } })).toEqual({
    ok: false,
    errors: ['spec.subsets[0].name: required field missing', 'spec.subsets[0].nam: unknown field'],
  });
});

test('a missing spec is treated as empty', () => {
  expect(validateObject({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-all' } }).ok).toBe(true);
  expect(validateObject({ ...base, spec: undefined })).toEqual({ ok: false, errors: ['spec.host: required field missing'] });
});

test('a non-object is rejected', () => {
  expect(validateObject('kind: VirtualService')).toEqual({ ok: false, errors: ['expected an object, got "kind: VirtualService"'] });
});
