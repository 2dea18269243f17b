/**
 * L1 constructs: each kind synthesizes `<group>/v1` with its spec, and an invalid spec
 * fails synthesis with the construct path and the field.
 */
import { App, Chart, Lazy, Testing } from 'cdk8s';
import * as istio from '../../constructs/istio';
import { VALID_SPECS, clone } from './fixtures';
import { validateObject } from '../../constructs/api';

function chartWithEveryKind(): Chart {
  const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'default' });
  new istio.VirtualService(chart, 'reviews-vs', { metadata: { name: 'reviews' }, spec: VALID_SPECS.VirtualService });
  new istio.DestinationRule(chart, 'reviews-dr', { metadata: { name: 'reviews' }, spec: VALID_SPECS.DestinationRule });
  new istio.Gateway(chart, 'gateway', { metadata: { name: 'bookinfo-gateway' }, spec: VALID_SPECS.Gateway });
  new istio.ServiceEntry(chart, 'api', { metadata: { name: 'api-example' }, spec: VALID_SPECS.ServiceEntry });
  new istio.WorkloadEntry(chart, 'vm', { metadata: { name: 'details-vm' }, spec: VALID_SPECS.WorkloadEntry });
  new istio.Sidecar(chart, 'sidecar', { metadata: { name: 'productpage' }, spec: VALID_SPECS.Sidecar });
  new istio.PeerAuthentication(chart, 'mtls', { metadata: { name: 'reviews-strict' }, spec: VALID_SPECS.PeerAuthentication });
  new istio.AuthorizationPolicy(chart, 'authz', { metadata: { name: 'reviews-viewer' }, spec: VALID_SPECS.AuthorizationPolicy });
  new istio.RequestAuthentication(chart, 'jwt', { metadata: { name: 'productpage-jwt' }, spec: VALID_SPECS.RequestAuthentication });
  return chart;
}

test('every kind synthesizes (snapshot)', () => {
  const manifests = Testing.synth(chartWithEveryKind());
  expect(manifests.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([
    'networking.istio.io/v1 VirtualService',
    'networking.istio.io/v1 DestinationRule',
    'networking.istio.io/v1 Gateway',
    'networking.istio.io/v1 ServiceEntry',
    'networking.istio.io/v1 WorkloadEntry',
    'networking.istio.io/v1 Sidecar',
    'security.istio.io/v1 PeerAuthentication',
    'security.istio.io/v1 AuthorizationPolicy',
    'security.istio.io/v1 RequestAuthentication',
  ]);
  for (const m of manifests) expect(validateObject(m)).toMatchObject({ ok: true });
  expect(manifests).toMatchSnapshot();
});

test('GVK and spec are exposed', () => {
  expect(istio.VirtualService.GVK).toEqual({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' });
  expect(istio.PeerAuthentication.GVK).toEqual({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' });
  const chart = Testing.chart();
  const dr = new istio.DestinationRule(chart, 'dr', { spec: { host: 'reviews' } });
  expect(dr.spec).toEqual({ host: 'reviews' });
});

test('the spec is rendered lazily: mutations and Lazy values after construction show up', () => {
  const chart = Testing.chart();
  const subsets: { name: string; labels: Record<string, string> }[] = [];
  new istio.DestinationRule(chart, 'dr', { metadata: { name: 'reviews' }, spec: { host: 'reviews', subsets } });
  const hosts: string[] = [];
  new istio.VirtualService(chart, 'vs', {
    metadata: { name: 'reviews' },
    spec: { hosts: Lazy.any({ produce: () => hosts }), http: [{ route: [{ destination: { host: 'reviews' } }] }] },
  });
  subsets.push({ name: 'v1', labels: { version: 'v1' } });
  hosts.push('reviews');
  const [dr, vs] = Testing.synth(chart);
  expect(dr.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
  expect(vs.spec.hosts).toEqual(['reviews']);
});

function badChart(app: App): Chart {
  const chart = new Chart(app, 'bookinfo');
  const spec = clone(VALID_SPECS.VirtualService);
  spec.http![4]!.route![0]!.weight = 150;
  new istio.VirtualService(chart, 'reviews-vs', { metadata: { name: 'reviews' }, spec });
  return chart;
}

test('Testing.synth throws on an invalid spec, naming construct path and field', () => {
  const chart = badChart(Testing.app());
  expect(() => Testing.synth(chart)).toThrow('bookinfo/reviews-vs: spec.http[4].route[0].weight: expected integer <= 100, got 150');
});

test('app.synth() fails validation with the construct path and field', () => {
  const app = Testing.app();
  badChart(app);
  expect(() => app.synth()).toThrow(/Validation failed[\s\S]*bookinfo\/reviews-vs: spec\.http\[4\]\.route\[0\]\.weight: expected integer <= 100, got 150/);
});

test('a Lazy value that resolves to something invalid is caught at synth', () => {
  const chart = new Chart(Testing.app(), 'mesh');
  new istio.PeerAuthentication(chart, 'pa', { spec: { mtls: { mode: Lazy.any({ produce: () => 'ON' }) } } });
  expect(() => Testing.synth(chart)).toThrow('mesh/pa: spec.mtls.mode: expected one of UNSET, DISABLE, PERMISSIVE, STRICT, got "ON"');
});

test('a valid app synthesizes without validation errors', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'ok');
  new istio.Sidecar(chart, 'default', { spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] } });
  expect(() => app.synth()).not.toThrow();
});
