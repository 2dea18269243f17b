/**
 * The bookinfo stack renders every seed scenario: the routes, subsets, faults and
 * circuit breaker the seed text walks through, in manifests that an independent
 * validator (Istio's and Kubernetes' own schemas) accepts.
 */
import { App, Testing } from 'cdk8s';
import { BOOKINFO_SCENARIOS, BookinfoChart, BookinfoProps, BookinfoScenario } from '../../stacks/bookinfo';
import { expectIndependentlyValid } from '../support/independent-validate';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // The tests read arbitrary manifest fields.
  spec?: any;
}

function synth(props: BookinfoProps = {}, context: Record<string, unknown> = {}): Manifest[] {
  const app = Testing.app();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  const chart = new BookinfoChart(app, 'bookinfo', props);
  // app.synthYaml runs every synth-time check (schemas and mesh analysis) first.
  app.synthYaml();
  return Testing.synth(chart) as Manifest[];
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

const cache = new Map<BookinfoScenario, Manifest[]>();
function scenario(name: BookinfoScenario): Manifest[] {
  if (!cache.has(name)) cache.set(name, synth({ scenario: name }));
  return cache.get(name)!;
}

describe.each(BOOKINFO_SCENARIOS.map((s) => [s]))('scenario %s', (name) => {
  test('every object passes the independent Kubernetes and Istio validators', () => {
    expectIndependentlyValid(scenario(name));
  });

  test('the gateway sends the five public paths to productpage:9080', () => {
    const vs = find(scenario(name), 'VirtualService', 'bookinfo');
    expect(vs.spec.gateways).toEqual(['istio-system/istio-ingressgateway']);
    expect(vs.spec.hosts).toEqual(['*']);
    expect(vs.spec.http).toHaveLength(1);
    expect(vs.spec.http[0].match).toEqual([
      { uri: { exact: '/productpage' } },
      { uri: { prefix: '/static' } },
      { uri: { exact: '/login' } },
      { uri: { exact: '/logout' } },
      { uri: { prefix: '/api/v1/products' } },
    ]);
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host: 'productpage.default.svc.cluster.local', port: { number: 9080 } } },
    ]);
    const gateway = find(scenario(name), 'Gateway', 'istio-ingressgateway');
    expect(gateway.spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(gateway.spec.servers).toEqual([expect.objectContaining({ port: expect.objectContaining({ number: 80, protocol: 'HTTP' }), hosts: ['*'] })]);
  });

  test('reviews has the v1, v2 and v3 subsets, selected by the version label', () => {
    const dr = find(scenario(name), 'DestinationRule', 'reviews');
    expect(dr.spec.subsets).toEqual(['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })));
  });

  test('every sample workload carries app and version labels and an injected sidecar', () => {
    const deployments = scenario(name).filter((m) => m.kind === 'Deployment' && m.metadata.namespace === 'default');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'details-v1', 'fortio-v1', 'httpbin-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3',
    ]);
    for (const d of deployments) {
      const pod = d.spec.template;
      expect(Object.keys(pod.metadata.labels)).toEqual(expect.arrayContaining(['app', 'version']));
      expect(pod.spec.containers.map((c: { name: string }) => c.name)).toContain('istio-proxy');
      expect(pod.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['istio-init']);
    }
  });
});

describe('reviews routing per scenario', () => {
  const jason = { headers: { 'end-user': { exact: 'jason' } } };
  const subset = (s: string) => ({ destination: { host: 'reviews.default.svc.cluster.local', subset: s } });

  test('all-v1: everyone sees reviews v1', () => {
    expect(find(scenario('all-v1'), 'VirtualService', 'reviews').spec.http).toEqual([{ route: [subset('v1')] }]);
  });

  test('jason-v2: end-user jason goes to v2, everyone else to v3', () => {
    expect(find(scenario('jason-v2'), 'VirtualService', 'reviews').spec.http).toEqual([
      { match: [jason], route: [subset('v2')] },
      { route: [subset('v3')] },
    ]);
  });

  test('split-50: half of the traffic to v1, half to v3', () => {
    expect(find(scenario('split-50'), 'VirtualService', 'reviews').spec.http).toEqual([
      { route: [{ ...subset('v1'), weight: 50 }, { ...subset('v3'), weight: 50 }] },
    ]);
  });

  test('ratings-delay: jason-v2 plus a 7 s delay on every ratings call for jason, and only for jason', () => {
    expect(find(scenario('ratings-delay'), 'VirtualService', 'reviews').spec.http)
      .toEqual(find(scenario('jason-v2'), 'VirtualService', 'reviews').spec.http);
    const ratings = find(scenario('ratings-delay'), 'VirtualService', 'ratings').spec.http;
    expect(ratings).toHaveLength(2);
    expect(ratings[0].match).toEqual([jason]);
    expect(ratings[0].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expect(ratings[1].fault).toBeUndefined();
    expect(ratings[1].route).toEqual([{ destination: { host: 'ratings.default.svc.cluster.local', subset: 'v1' } }]);
  });

  test('no scenario but ratings-delay injects a fault', () => {
    for (const s of BOOKINFO_SCENARIOS.filter((x) => x !== 'ratings-delay')) {
      const vs = scenario(s).filter((m) => m.kind === 'VirtualService');
      expect(vs.flatMap((v) => v.spec.http ?? []).filter((r: { fault?: unknown }) => r.fault)).toEqual([]);
    }
  });
});

describe('httpbin and the external host', () => {
  test('the httpbin circuit breaker trips at one connection and one pending request, and ejects after one error', () => {
    const dr = find(scenario('jason-v2'), 'DestinationRule', 'httpbin');
    expect(dr.spec.host).toBe('httpbin.default.svc.cluster.local');
    expect(dr.spec.trafficPolicy).toEqual({
      connectionPool: {
        tcp: { maxConnections: 1 },
        http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
      },
      outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '180s', maxEjectionPercent: 100 },
    });
    const svc = find(scenario('jason-v2'), 'Service', 'httpbin');
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 8000, targetPort: 80 })]);
  });

  test('httpbin.org is registered as an external DNS service, reached with a 3 s timeout', () => {
    const se = find(scenario('jason-v2'), 'ServiceEntry', 'httpbin-ext');
    expect(se.spec).toMatchObject({
      hosts: ['httpbin.org'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    });
    const vs = find(scenario('jason-v2'), 'VirtualService', 'httpbin-ext');
    expect(vs.spec.hosts).toEqual(['httpbin.org']);
    expect(vs.spec.http).toEqual([{ timeout: '3s', route: [{ destination: { host: 'httpbin.org' }, weight: 100 }] }]);
  });
});

describe('choosing a scenario and the mesh settings', () => {
  test('the scenario context selects the variant when no prop is given', () => {
    const manifests = synth({}, { scenario: 'split-50' });
    expect(find(manifests, 'VirtualService', 'reviews').spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([50, 50]);
  });

  test('jason-v2 is the default scenario', () => {
    expect(find(synth(), 'VirtualService', 'reviews').spec.http).toEqual(find(scenario('jason-v2'), 'VirtualService', 'reviews').spec.http);
  });

  test('an unknown scenario names the allowed ones and what was given', () => {
    const app = new App();
    app.node.setContext('scenario', 'v4-only');
    expect(() => new BookinfoChart(app, 'bookinfo'))
      .toThrow('bookinfo: scenario must be one of all-v1, jason-v2, split-50, ratings-delay (got "v4-only")');
  });

  test('mesh-wide STRICT mTLS by default, and the mode can be changed', () => {
    const strict = find(scenario('jason-v2'), 'PeerAuthentication', 'default');
    expect(strict.metadata.namespace).toBe('istio-system');
    expect(strict.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(synth({ mtls: 'PERMISSIVE' }), 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('namespace, replicas and image land in the objects', () => {
    const manifests = synth({ namespace: 'books', replicas: 2, image: 'registry.local/meshform:dev' });
    expect(find(manifests, 'Namespace', 'books')).toBeDefined();
    const reviews = find(manifests, 'Deployment', 'reviews-v2');
    expect(reviews.metadata.namespace).toBe('books');
    expect(reviews.spec.replicas).toBe(2);
    const proxy = reviews.spec.template.spec.containers.find((c: { name: string }) => c.name === 'istio-proxy');
    expect(proxy.image).toBe('registry.local/meshform:dev');
    expect(find(manifests, 'Deployment', 'meshform').spec.template.spec.containers[0].image).toBe('registry.local/meshform:dev');
  });
});
