import { Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { Mesh, MeshProps } from '../../constructs/mesh';
import { SidecarInjection, SynthTimeInjectionOptions } from '../../constructs/workloads/sidecar-injection';
import { expectIndependentlyValid } from '../support/independent-validate';

/** The pod template of productpage-v1 with synth-time injection. */
function injectedPod(options: SynthTimeInjectionOptions = {}, meshProps: MeshProps = {}) {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'mesh', meshProps);
  mesh.addService('productpage', {
    name: 'productpage',
    ports: [{ name: 'http', port: 9080 }],
    versions: [{ version: 'v1', image: 'docker.io/istio/examples-bookinfo-productpage-v1:1.20.2' }],
    injection: SidecarInjection.synthTime(options),
  });
  const objs = Testing.synth(chart) as any[];
  const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'productpage-v1');
  return { objs, pod: d.spec.template, spec: d.spec.template.spec };
}

describe('synth-time sidecar injection', () => {
  test('the manifest shows istio-init and istio-proxy next to the application', () => {
    const { spec } = injectedPod();
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['istio-init']);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['productpage', 'istio-proxy']);
  });

  test('snapshot of the injected pod template', () => {
    expect(injectedPod().pod).toMatchSnapshot();
  });

  test('all objects of an injected mesh pass the independent schemas', () => {
    expectIndependentlyValid(injectedPod().objs);
  });

  test('istio-init captures traffic to 15001/15006, exempting uid 1337', () => {
    const init = injectedPod().spec.initContainers[0];
    expect(init.image).toBe('ghcr.io/meshform/meshform:0.1.0');
    expect(init.args[0]).toBe('capture');
    const flag = (name: string) => init.args[init.args.indexOf(name) + 1];
    expect(flag('--outbound-port')).toBe('15001');
    expect(flag('--inbound-port')).toBe('15006');
    expect(flag('--proxy-uid')).toBe('1337');
    expect(flag('--exclude-inbound-ports').split(',')).toEqual(expect.arrayContaining(['15090', '15021']));
  });

  test('istio-init is the only root container, with NET_ADMIN and NET_RAW only', () => {
    const { spec } = injectedPod();
    expect(spec.initContainers[0].securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { add: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], drop: ['ALL'] },
    });
    for (const c of spec.containers) {
      expect(c.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext.runAsUser).not.toBe(0);
    }
    expect(spec.securityContext.runAsNonRoot).toBe(true);
  });

  test('istio-proxy runs `proxy` against the mesh xDS address with a sidecar node id', () => {
    const proxy = injectedPod({}, { namespace: 'mesh-system' }).spec.containers[1];
    expect(proxy.args).toEqual([
      'proxy',
      '--xds-address', 'meshform.mesh-system.svc:15010',
      '--node-id', 'sidecar~$(POD_IP)~$(POD_NAME).$(POD_NAMESPACE)~$(POD_NAMESPACE).svc.cluster.local',
    ]);
  });

  test('istio-proxy gets its identity from the downward API', () => {
    const env = injectedPod().spec.containers[1].env;
    expect(env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
    ]);
  });

  test('istio-proxy: well-known ports, readiness on 15021 /healthz/ready', () => {
    const proxy = injectedPod().spec.containers[1];
    expect(proxy.ports).toEqual([
      { name: 'status-port', containerPort: 15021 },
      { name: 'http-envoy-prom', containerPort: 15090 },
    ]);
    expect(proxy.readinessProbe.httpGet).toMatchObject({ path: '/healthz/ready', port: 15021 });
  });

  test('istio-proxy: uid 1337, read-only root filesystem, no capabilities, scratch volume', () => {
    const { spec } = injectedPod();
    const proxy = spec.containers[1];
    expect(proxy.securityContext).toEqual({
      runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] },
    });
    expect(proxy.volumeMounts).toEqual([{ name: 'istio-envoy', mountPath: '/etc/istio/proxy' }]);
    expect(spec.volumes).toEqual([{ name: 'istio-envoy', emptyDir: { medium: 'Memory' } }]);
  });

  test('istio-proxy resources: Istio defaults, or as given', () => {
    expect(injectedPod().spec.containers[1].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' },
    });
    const resources = { cpu: { request: Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) } };
    expect(injectedPod({ resources }).spec.containers[1].resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' },
    });
  });

  test('image: the mesh image, or as given', () => {
    const { spec } = injectedPod({}, { image: 'registry.local/meshform:dev' });
    expect(spec.containers[1].image).toBe('registry.local/meshform:dev');
    expect(spec.initContainers[0].image).toBe('registry.local/meshform:dev');
    expect(injectedPod({ image: 'proxy:x' }).spec.containers[1].image).toBe('proxy:x');
  });

  test('the pod is annotated and labelled as Istio\'s injector does', () => {
    const { pod, spec } = injectedPod();
    expect(JSON.parse(pod.metadata.annotations['sidecar.istio.io/status'])).toEqual({
      initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: ['istio-envoy'], imagePullSecrets: null, revision: 'default',
    });
    expect(pod.metadata.annotations['kubectl.kubernetes.io/default-container']).toBe('productpage');
    expect(pod.metadata.labels['security.istio.io/tlsMode']).toBe('istio');
    expect(pod.metadata.labels).not.toHaveProperty(['sidecar.istio.io/inject']);
    expect(spec.automountServiceAccountToken).toBe(true);
  });
});
