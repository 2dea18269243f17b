import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Mesh } from '../../constructs/mesh';
import { MeshService, MeshServiceBaseProps } from '../../constructs/workloads/mesh-service';
import { SidecarInjection } from '../../constructs/workloads/sidecar-injection';
import { expectIndependentlyValid } from '../support/independent-validate';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: any }; [k: string]: any };

const REVIEWS: MeshServiceBaseProps = {
  name: 'reviews',
  ports: [{ name: 'http', port: 9080 }],
  versions: [
    { version: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2' },
    { version: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2', replicas: 2, env: { LOG_DIR: '/tmp/logs' } },
  ],
};

/** A chart holding an external-mode mesh (so only the service's objects are synthesized) and the service. */
function setup(props: Partial<MeshServiceBaseProps> = {}) {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
  const service = mesh.addService('reviews', { ...REVIEWS, ...props });
  const synth = () => (Testing.synth(chart) as Obj[]).filter((o) => o.kind !== 'PeerAuthentication');
  return { chart, mesh, service, synth };
}

function deployment(objs: Obj[], name: string): Obj {
  const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name} in ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return d;
}

describe('MeshService', () => {
  test('snapshot', () => {
    expect(setup().synth()).toMatchSnapshot();
  });

  test('every synthesized object passes the independent schemas', () => {
    expectIndependentlyValid(setup().synth());
  });

  test('one Deployment per version, named <name>-<version>, plus a Service and a ServiceAccount', () => {
    const objs = setup().synth();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/reviews-v1', 'Deployment/reviews-v2', 'Service/reviews', 'ServiceAccount/reviews',
    ]);
  });

  test('each version carries app/version and Istio canonical labels, and selects by app/version', () => {
    const d = deployment(setup().synth(), 'reviews-v2');
    expect(d.metadata.labels).toEqual({ app: 'reviews', version: 'v2' });
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'reviews', version: 'v2' } });
    expect(d.spec.template.metadata.labels).toMatchObject({
      'app': 'reviews',
      'version': 'v2',
      'service.istio.io/canonical-name': 'reviews',
      'service.istio.io/canonical-revision': 'v2',
    });
    expect(d.spec.template.metadata.labels).not.toHaveProperty(['cdk8s.io/metadata.addr']);
    expect(d.spec.replicas).toBe(2);
  });

  test('the Service selects app only, with the named ports', () => {
    const svc = setup({ ports: [{ name: 'http', port: 9080 }, { name: 'grpc-api', port: 9090, targetPort: 19090 }] })
      .synth().find((o) => o.kind === 'Service')!;
    expect(svc.metadata).toMatchObject({ name: 'reviews', namespace: 'default' });
    expect(svc.spec.selector).toEqual({ app: 'reviews' });
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 9080, targetPort: 9080 },
      { name: 'grpc-api', port: 9090, targetPort: 19090 },
    ]);
  });

  test('the application container exposes the target ports and its env', () => {
    const d = deployment(setup({ ports: [{ name: 'http', port: 80, targetPort: 9080 }] }).synth(), 'reviews-v2');
    const app = d.spec.template.spec.containers[0];
    expect(app).toMatchObject({
      name: 'reviews',
      image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2',
      ports: [{ name: 'http', containerPort: 9080 }],
      env: [{ name: 'LOG_DIR', value: '/tmp/logs' }],
    });
    expect(app).not.toHaveProperty('resources');
  });

  test('implements IMeshServiceTarget', () => {
    const { service } = setup({ namespace: 'bookinfo' });
    expect(service.serviceName).toBe('reviews');
    expect(service.namespace).toBe('bookinfo');
    expect(service.fqdn).toBe('reviews.bookinfo.svc.cluster.local');
    expect(service.versions).toEqual(['v1', 'v2']);
    expect(service.ports).toEqual([{ name: 'http', port: 9080 }]);
    expect(service.principal).toBe('cluster.local/ns/bookinfo/sa/reviews');
  });

  test('addVersion after construction renders a new Deployment', () => {
    const { service, synth } = setup();
    synth(); // rendering once does not freeze anything
    service.addVersion({ version: 'v3', image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.2' });
    const d = deployment(synth(), 'reviews-v3');
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'reviews', version: 'v3' });
    expect(d.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['reviews', 'istio-proxy']);
    expect(service.versions).toEqual(['v1', 'v2', 'v3']);
  });

  test('new MeshService(scope, id, { mesh, ... }) reads the same as mesh.addService', () => {
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
    const svc = new MeshService(chart, 'ratings', { mesh, name: 'ratings', ports: [{ name: 'http', port: 9080 }] });
    svc.addVersion({ version: 'v1', image: 'ratings:1' });
    expect(svc.mesh).toBe(mesh);
    const objs = Testing.synth(chart) as Obj[];
    expect(deployment(objs, 'ratings-v1').spec.template.spec.containers).toHaveLength(2);
  });

  test('a service without versions fails at synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
    mesh.addService('details', { name: 'details', ports: [{ name: 'http', port: 9080 }] });
    expect(() => app.synthYaml()).toThrow('c/mesh/details: versions must hold at least one version (got none; add one with addVersion)');
  });

  test('service account: named after the service by default, a name, or an existing one', () => {
    expect(setup().synth().find((o) => o.kind === 'ServiceAccount')!.metadata).toMatchObject({ name: 'reviews', namespace: 'default' });
    const named = setup({ serviceAccount: 'bookinfo-reviews' });
    expect(named.synth().find((o) => o.kind === 'ServiceAccount')!.metadata.name).toBe('bookinfo-reviews');
    expect(deployment(named.synth(), 'reviews-v1').spec.template.spec.serviceAccountName).toBe('bookinfo-reviews');

    const existing = kplus.ServiceAccount.fromServiceAccountName(Testing.chart(), 'sa', 'shared');
    const shared = setup({ serviceAccount: existing });
    expect(shared.synth().filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
    expect(deployment(shared.synth(), 'reviews-v1').spec.template.spec.serviceAccountName).toBe('shared');
  });

  test('extra labels are kept; app and version cannot be overridden', () => {
    const d = deployment(setup({ versions: [{ version: 'v1', image: 'i', labels: { team: 'books', version: 'v1' } }] }).synth(), 'reviews-v1');
    expect(d.spec.template.metadata.labels).toMatchObject({ team: 'books', version: 'v1', app: 'reviews' });
    expect(() => setup({ versions: [{ version: 'v1', image: 'i', labels: { app: 'other' } }] }))
      .toThrow("test/mesh/reviews: versions[0].labels.app must be 'reviews' (set by meshform) or absent (got 'other')");
    expect(() => setup({ versions: [{ version: 'v1', image: 'i', labels: { version: 'v9' } }] }))
      .toThrow("versions[0].labels.version must be 'v1' (set by meshform) or absent (got 'v9')");
  });
});

describe('MeshService validation', () => {
  test('port names follow <protocol>[-<suffix>]: the error names path, field, expected and got', () => {
    expect(() => setup({ ports: [{ name: 'web', port: 80 }] })).toThrow(
      "test/mesh/reviews: ports[0].name must be '<protocol>[-<suffix>]' with protocol one of grpc-web, http2, https, mongo, mysql, redis, grpc, http, tcp, tls, udp (got 'web')",
    );
    expect(() => setup({ ports: [{ name: 'http', port: 80 }, { name: 'httpx', port: 81 }] })).toThrow("ports[1].name must be '<protocol>[-<suffix>]'");
    expect(() => setup({ ports: [{ name: 'http-', port: 80 }] })).toThrow("(got 'http-')");
  });

  test.each(['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp', 'http-api', 'grpc-web-ui', 'tcp-db'])(
    'port name %s is accepted', (name) => {
      expect(() => setup({ ports: [{ name, port: 80 }] })).not.toThrow();
    });

  test('port names obey Kubernetes: at most 15 characters, lower case', () => {
    expect(() => setup({ ports: [{ name: 'http-abcdefghij', port: 80 }] })).not.toThrow(); // 15
    expect(() => setup({ ports: [{ name: 'http-abcdefghijk', port: 80 }] })) // 16
      .toThrow("test/mesh/reviews: ports[0].name must be a Kubernetes port name (at most 15 characters: lower-case letters, digits, single \"-\") (got 'http-abcdefghijk')");
    expect(() => setup({ ports: [{ name: 'HTTP', port: 80 }] })).toThrow("(got 'HTTP')");
  });

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('port %d accepted: %s', (port, ok) => {
    const make = () => setup({ ports: [{ name: 'http', port }] });
    if (ok) expect(make).not.toThrow();
    else expect(make).toThrow(`test/mesh/reviews: ports[0].port must be an integer from 1 to 65535 (got ${port})`);
  });

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('targetPort %d accepted: %s', (targetPort, ok) => {
    const make = () => setup({ ports: [{ name: 'http', port: 80, targetPort }] });
    if (ok) expect(make).not.toThrow();
    else expect(make).toThrow(`ports[0].targetPort must be an integer from 1 to 65535 (got ${targetPort})`);
  });

  test('ports need at least one entry, unique names and numbers', () => {
    expect(() => setup({ ports: [] })).toThrow('test/mesh/reviews: ports must be at least one port (got [])');
    expect(() => setup({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }))
      .toThrow("ports[1].name must be unique among the ports (got 'http')");
    expect(() => setup({ ports: [{ name: 'http', port: 80 }, { name: 'tcp', port: 80 }] }))
      .toThrow('ports[1].port must be unique among the ports (got 80)');
  });

  test('replicas: 0 is the minimum', () => {
    expect(() => setup({ versions: [{ version: 'v1', image: 'i', replicas: 0 }] })).not.toThrow();
    expect(() => setup({ versions: [{ version: 'v1', image: 'i', replicas: -1 }] }))
      .toThrow('test/mesh/reviews: versions[0].replicas must be an integer >= 0 (got -1)');
  });

  test('versions are label values, unique, and fit in the Deployment name', () => {
    expect(() => setup({ versions: [{ version: 'v1', image: 'i' }, { version: 'v1', image: 'j' }] }))
      .toThrow("test/mesh/reviews: versions[1].version must be unique among the versions (got 'v1')");
    expect(() => setup({ versions: [{ version: 'v 1', image: 'i' }] })).toThrow("versions[0].version must be a non-empty label value");
    expect(() => setup({ versions: [{ version: 'V1', image: 'i' }] }))
      .toThrow("versions[0].version (as part of the Deployment name 'reviews-V1') must be a DNS label");
  });

  test('the service name is a DNS label', () => {
    expect(() => setup({ name: 'Reviews' })).toThrow("test/mesh/reviews: name must be a DNS label (lower-case letters, digits and \"-\", starting with a letter, at most 63 characters) (got 'Reviews')");
  });
});

describe('SidecarInjection on MeshService', () => {
  test('synth-time is the default', () => {
    expect(setup().service.injection.mode).toBe('synth-time');
  });

  test('webhook: labels the pod for injection and adds no containers', () => {
    const objs = setup({ injection: SidecarInjection.webhook() }).synth();
    expect(objs).toMatchSnapshot();
    const pod = deployment(objs, 'reviews-v1').spec.template;
    expect(pod.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['reviews']);
    expect(pod.spec).not.toHaveProperty('initContainers');
    expect(pod.metadata.annotations ?? {}).not.toHaveProperty(['sidecar.istio.io/status']);
    expectIndependentlyValid(objs);
  });

  test('none: no proxy, and opted out of any webhook', () => {
    const pod = deployment(setup({ injection: SidecarInjection.none() }).synth(), 'reviews-v1').spec.template;
    expect(pod.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['reviews']);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });
});
