import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshAnalysis } from '../../constructs/analysis';
import { deployment, destinationRule, service, to, virtualService } from './fixtures';

type Json = Record<string, unknown>;

/** A plain cdk8s ApiObject from a fixture manifest; its namespace comes from the chart. */
function apiObject(scope: Construct, id: string, manifest: Json): ApiObject {
  const { metadata, ...rest } = manifest as { metadata: { name: string }; apiVersion: string; kind: string };
  return new ApiObject(scope, id, { ...rest, metadata: { name: metadata.name } });
}

/** GIVEN the bookinfo reviews service in chart `bookinfo`, with a VirtualService routing to `subset`. */
function bookinfo(app: App, subset: string): Chart {
  const chart = new Chart(app, 'bookinfo', { namespace: 'default' });
  const reviews = new Construct(chart, 'reviews');
  apiObject(reviews, 'service', service('reviews'));
  apiObject(reviews, 'v1', deployment('reviews-v1', { app: 'reviews', version: 'v1' }));
  apiObject(reviews, 'destination-rule', destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }));
  apiObject(reviews, 'virtual-service', virtualService('reviews', { hosts: ['reviews'], http: [{ route: [to('reviews', subset)] }] }));
  return chart;
}

describe('MeshAnalysis', () => {
  test('a correct tree synthesizes', () => {
    const app = Testing.app();
    const chart = bookinfo(app, 'v1');
    MeshAnalysis.attach(chart);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('an error makes app.synth() throw with construct path, field and message', () => {
    // GIVEN
    const app = Testing.app();
    const chart = bookinfo(app, 'v4');
    // WHEN
    MeshAnalysis.attach(chart);
    // THEN
    expect(() => app.synth()).toThrow(
      'bookinfo/reviews/virtual-service: spec.http[0].route[0].destination.subset: VirtualService default/reviews: '
      + 'subset "v4" of host reviews.default.svc.cluster.local is not defined by any DestinationRule '
      + '(DestinationRule default/reviews defines "v1")',
    );
  });

  test('Testing.synth of a chart runs the analysis too', () => {
    const app = Testing.app();
    const chart = bookinfo(app, 'v4');
    MeshAnalysis.attach(chart);
    expect(() => Testing.synth(chart)).toThrow(/bookinfo\/reviews\/virtual-service: .*subset "v4"/);
  });

  test('objects added after attach are analyzed (the analysis runs at synth time)', () => {
    const app = Testing.app();
    const chart = bookinfo(app, 'v1');
    MeshAnalysis.attach(chart);
    apiObject(chart, 'late', virtualService('late', { hosts: ['late'], http: [{ route: [to('nowhere')] }] }));
    expect(() => app.synthYaml()).toThrow(/bookinfo\/late: spec.http\[0\].route\[0\].destination.host: .*"nowhere"/);
  });

  test('attach is idempotent per tree: each error is reported once', () => {
    const app = Testing.app();
    const chart = bookinfo(app, 'v4');
    const first = MeshAnalysis.attach(chart);
    const second = MeshAnalysis.attach(new Construct(chart, 'other'));
    expect(second).toBe(first);
    expect(MeshAnalysis.of(app)).toBe(first);
    let message = '';
    try {
      app.synthYaml();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.match(/subset "v4"/g)).toHaveLength(1);
  });

  test('warnings are printed once and do not fail synthesis', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'default' });
    apiObject(chart, 'web', deployment('web', { app: 'web' }));
    const warnings: string[] = [];
    MeshAnalysis.attach(chart, { onWarning: (line) => warnings.push(line) });
    expect(() => app.synthYaml()).not.toThrow();
    expect(() => app.synthYaml()).not.toThrow();
    expect(warnings).toEqual([
      'warning MF0004 shop/web: spec.template.metadata.labels.version: Deployment default/web: pod template has no "version" '
      + 'label (got {app=web}); DestinationRule subsets cannot tell its versions apart and telemetry reports version "unknown"',
    ]);
  });

  test('warnings go to stderr by default', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    apiObject(chart, 'web', deployment('web', { app: 'web' }));
    MeshAnalysis.attach(chart);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synthYaml();
      expect(write).toHaveBeenCalledWith(expect.stringMatching(/^warning MF0004 shop\/web: .*"version" label/));
    } finally {
      write.mockRestore();
    }
  });
});
