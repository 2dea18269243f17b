/**
 * Every kind: a realistic object passes our validator AND the independent validator
 * generated from Istio's own CRDs (@kubernetes-models/istio, v1beta1 = v1 schemas).
 */
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { WorkloadEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/WorkloadEntry';
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import { KINDS, KindName, validateSpec, validateObject } from '../../constructs/api';
import { VALID_SPECS, clone } from './fixtures';

/** Builds the independent model of a kind and runs its validator (throws when invalid). */
const independent: Record<KindName, (metadata: { name: string; namespace: string }, spec: any) => void> = {
  VirtualService: (metadata, spec) => new VirtualService({ metadata, spec }).validate(),
  DestinationRule: (metadata, spec) => new DestinationRule({ metadata, spec }).validate(),
  Gateway: (metadata, spec) => new Gateway({ metadata, spec }).validate(),
  ServiceEntry: (metadata, spec) => new ServiceEntry({ metadata, spec }).validate(),
  WorkloadEntry: (metadata, spec) => new WorkloadEntry({ metadata, spec }).validate(),
  Sidecar: (metadata, spec) => new Sidecar({ metadata, spec }).validate(),
  PeerAuthentication: (metadata, spec) => new PeerAuthentication({ metadata, spec }).validate(),
  AuthorizationPolicy: (metadata, spec) => new AuthorizationPolicy({ metadata, spec }).validate(),
  RequestAuthentication: (metadata, spec) => new RequestAuthentication({ metadata, spec }).validate(),
};

const metadata = { name: 'bookinfo-sample', namespace: 'default' };

describe.each(KINDS.map((k) => k.kind as KindName))('%s', (kind) => {
  const spec = VALID_SPECS[kind];

  test('a realistic spec passes our validator', () => {
    expect(validateSpec(kind, spec)).toEqual({ ok: true, value: spec });
  });

  test('the same spec passes the independent validator from Istio CRDs', () => {
    expect(() => independent[kind](metadata, clone(spec))).not.toThrow();
  });

  test('the full manifest passes validateObject', () => {
    const info = KINDS.find((k) => k.kind === kind)!;
    const result = validateObject({ apiVersion: info.apiVersion, kind, metadata, spec });
    expect(result.ok).toBe(true);
  });
});

describe('the independent validator is really checking', () => {
  test('it rejects a wrong enum our validator also rejects', () => {
    const spec = { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'FASTEST' } } };
    expect(() => independent.DestinationRule(metadata, spec)).toThrow();
    expect(validateSpec('DestinationRule', spec).ok).toBe(false);
  });
});
