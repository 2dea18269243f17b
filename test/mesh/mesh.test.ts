import { Chart, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import * as yaml from 'js-yaml';
import { KINDS } from '../../constructs/api';
import { AccessLogEncoding, AccessLogging } from '../../constructs/control-plane/access-logging';
import { MtlsMode } from '../../constructs/security/mtls-policy';
import { OutboundTrafficPolicyMode } from '../../constructs/control-plane/outbound-traffic-policy';
import { READ_VERBS } from '../../constructs/control-plane/rbac';
import { Mesh, MeshProps } from '../../constructs/mesh';
import { expectIndependentlyValid } from '../support/independent-validate';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

function synthMesh(props?: MeshProps): Obj[] {
  const chart = Testing.chart();
  new Mesh(chart, 'mesh', props);
  return Testing.synth(chart) as Obj[];
}

function only(objs: Obj[], kind: string): Obj {
  const found = objs.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

function container(objs: Obj[]): any {
  return only(objs, 'Deployment').spec.template.spec.containers[0];
}

describe('Mesh (bundled control plane)', () => {
  test('snapshot (CRD bodies reduced to their names: their schemas are the API layer\'s)', () => {
    const objs = synthMesh().map((o) => (o.kind === 'CustomResourceDefinition'
      ? { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } }
      : o));
    expect(objs).toMatchSnapshot();
  });

  test('every synthesized object passes the independent schemas', () => {
    expectIndependentlyValid(synthMesh({ autoscaling: { minReplicas: 2, maxReplicas: 5 }, accessLogging: true, mtls: MtlsMode.STRICT }));
  });

  test('emits one CRD per kind, named <plural>.<group>', () => {
    const crds = synthMesh().filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toHaveLength(KINDS.length);
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(KINDS.map((k) => `${k.plural}.${k.group}`).sort());
  });

  test('the namespace, service account and mesh config live in istio-system by default', () => {
    const objs = synthMesh();
    expect(only(objs, 'Namespace').metadata.name).toBe('istio-system');
    expect(only(objs, 'ServiceAccount').metadata).toMatchObject({ name: 'meshform', namespace: 'istio-system' });
    expect(only(objs, 'ConfigMap').metadata).toMatchObject({ name: 'meshform', namespace: 'istio-system' });
  });

  test('ClusterRole and Role are read-only, and cover every Istio kind', () => {
    const objs = synthMesh();
    const rules = [...only(objs, 'ClusterRole').rules, ...only(objs, 'Role').rules];
    for (const rule of rules) expect(rule.verbs).toEqual([...READ_VERBS]);
    const granted = new Set(only(objs, 'ClusterRole').rules.flatMap((r: any) => r.apiGroups.flatMap(
      (g: string) => r.resources.map((res: string) => `${res}.${g}`))));
    for (const k of KINDS) expect(granted).toContain(`${k.plural}.${k.group}`);
    expect(granted).not.toContain('secrets.');
    expect(granted).not.toContain('nodes.');
    // the namespaced Role reads only the mesh-config ConfigMap
    expect(only(objs, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['meshform'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('bindings point the roles at the control-plane service account', () => {
    const objs = synthMesh();
    const subject = { kind: 'ServiceAccount', name: 'meshform', namespace: 'istio-system' };
    expect(only(objs, 'ClusterRoleBinding')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: only(objs, 'ClusterRole').metadata.name }, subjects: [subject],
    });
    expect(only(objs, 'RoleBinding')).toMatchObject({ roleRef: { kind: 'Role', name: 'meshform' }, subjects: [subject] });
  });

  test('mesh config holds Istio MeshConfig fields and the default mTLS mode', () => {
    const data = only(synthMesh({
      trustDomain: 'example.org',
      outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY,
      accessLogging: AccessLogging.stdout({ encoding: AccessLogEncoding.JSON }),
      mtls: MtlsMode.PERMISSIVE,
    }), 'ConfigMap').data;
    expect(yaml.load(data.mesh)).toEqual({
      rootNamespace: 'istio-system',
      trustDomain: 'example.org',
      enableAutoMtls: true,
      defaultConfig: { discoveryAddress: 'meshform.istio-system.svc:15010' },
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      accessLogFile: '/dev/stdout',
      accessLogEncoding: 'JSON',
    });
    expect(yaml.load(data.meshform)).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('access logging is off by default', () => {
    const mesh = yaml.load(only(synthMesh(), 'ConfigMap').data.mesh) as Record<string, unknown>;
    expect(mesh.accessLogFile).toBe('');
    expect(mesh).not.toHaveProperty('accessLogEncoding');
  });

  test('the control plane runs `control-plane` with the well-known ports', () => {
    const c = container(synthMesh());
    expect(c.image).toBe('ghcr.io/meshform/meshform:0.1.0');
    expect(c.args).toEqual(['control-plane', '--config-source', 'kubernetes', '--xds-port', '15010', '--monitoring-port', '15014']);
    expect(c.ports).toEqual([
      { containerPort: 15010, name: 'grpc-xds' },
      { containerPort: 15012, name: 'https-dns' },
      { containerPort: 15014, name: 'http-monitoring' },
      { containerPort: 15017, name: 'https-webhook' },
    ]);
  });

  test('probes hit /ready on the monitoring port', () => {
    const c = container(synthMesh());
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe.httpGet).toMatchObject({ path: '/ready', port: 15014 });
    }
  });

  test('the control plane runs non-root on a read-only root filesystem with its API token', () => {
    const objs = synthMesh();
    const pod = only(objs, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe('meshform');
    expect(container(objs).securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 1337, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
      privileged: false, capabilities: { drop: ['ALL'] },
    });
  });

  test('resources default and can be set', () => {
    expect(container(synthMesh()).resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1024Mi' } });
    const resources = { cpu: { request: Cpu.units(1) }, memory: { request: Size.gibibytes(2) } };
    expect(container(synthMesh({ resources })).resources).toEqual({ requests: { cpu: '1', memory: '2048Mi' } });
  });

  test('the Service names the well-known ports per convention', () => {
    const svc = only(synthMesh(), 'Service');
    expect(svc.metadata).toMatchObject({ name: 'meshform', namespace: 'istio-system' });
    expect(svc.spec.selector).toEqual({ app: 'meshform' });
    expect(svc.spec.ports).toEqual([
      { name: 'grpc-xds', port: 15010, targetPort: 15010 },
      { name: 'https-dns', port: 15012, targetPort: 15012 },
      { name: 'http-monitoring', port: 15014, targetPort: 15014 },
      { name: 'https-webhook', port: 15017, targetPort: 15017 },
    ]);
  });

  test('a PodDisruptionBudget keeps one pod by default; false removes it', () => {
    expect(only(synthMesh(), 'PodDisruptionBudget').spec).toEqual({
      minAvailable: 1, selector: { matchLabels: { app: 'meshform' } },
    });
    expect(synthMesh({ podDisruptionBudget: false }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('replicas are fixed without autoscaling, and left to the HPA with it', () => {
    expect(only(synthMesh({ replicas: 3 }), 'Deployment').spec.replicas).toBe(3);
    expect(synthMesh().filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const objs = synthMesh({ autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuPercent: 60 } });
    expect(only(objs, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(only(objs, 'HorizontalPodAutoscaler')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'meshform' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      },
    });
  });

  test('a set mTLS mode is also a mesh-wide PeerAuthentication; unset, none is emitted', () => {
    expect(synthMesh().filter((o) => o.kind === 'PeerAuthentication')).toEqual([]);
    expect(yaml.load(only(synthMesh(), 'ConfigMap').data.meshform)).toEqual({ mtls: { mode: 'STRICT' } });
    expect(only(synthMesh({ mtls: MtlsMode.STRICT }), 'PeerAuthentication')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(only(synthMesh({ mtls: MtlsMode.DISABLE }), 'PeerAuthentication').spec).toEqual({ mtls: { mode: 'DISABLE' } });
  });

  test('a custom namespace moves everything, cluster-scoped names included', () => {
    const objs = synthMesh({ namespace: 'mesh' });
    for (const o of objs) {
      if (['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) continue;
      expect(o.metadata.namespace).toBe('mesh');
    }
    expect(only(objs, 'ClusterRole').metadata.name).toBe('meshform-mesh');
  });
});

describe('Mesh (external control plane)', () => {
  test('snapshot', () => {
    expect(synthMesh({ controlPlane: 'external', mtls: MtlsMode.STRICT })).toMatchSnapshot();
  });

  test('emits only mesh resources: no namespace, CRD, RBAC or Deployment', () => {
    expect(synthMesh({ controlPlane: 'external' })).toEqual([]);
    const kinds = synthMesh({ controlPlane: 'external', mtls: MtlsMode.PERMISSIVE }).map((o) => o.kind);
    expect(kinds).toEqual(['PeerAuthentication']);
  });

  test('points proxies at istiod', () => {
    const chart = Testing.chart();
    const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
    expect(mesh.xdsAddress).toBe('istiod.istio-system.svc:15010');
    expect(mesh.deployment).toBeUndefined();
  });
});

describe('Mesh properties and lookup', () => {
  test('exposes namespace, trust domain and xDS address', () => {
    const mesh = new Mesh(Testing.chart(), 'mesh', { namespace: 'mesh-system', trustDomain: 'example.org' });
    expect(mesh.namespace).toBe('mesh-system');
    expect(mesh.trustDomain).toBe('example.org');
    expect(mesh.xdsAddress).toBe('meshform.mesh-system.svc:15010');
  });

  test('Mesh.of finds the only mesh of the app, or the enclosing one', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    const mesh = new Mesh(a, 'mesh');
    expect(Mesh.of(b)).toBe(mesh);
    const svc = mesh.addService('svc', { name: 'svc', ports: [{ name: 'http', port: 80 }], versions: [{ version: 'v1', image: 'i' }] });
    expect(Mesh.of(svc)).toBe(mesh);
  });

  test('Mesh.of fails when there is no mesh, or two that do not enclose the scope', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    expect(() => Mesh.of(chart)).toThrow("c: mesh must be exactly one Mesh in the app, or be passed explicitly (got none)");
    new Mesh(chart, 'm1');
    new Mesh(chart, 'm2', { namespace: 'other' });
    expect(() => Mesh.of(chart)).toThrow('(got c/m1, c/m2)');
  });
});

describe('Mesh validation', () => {
  const mk = (props: MeshProps) => () => new Mesh(Testing.chart(), 'mesh', props);

  test('replicas: 1 is the minimum', () => {
    expect(mk({ replicas: 1 })).not.toThrow();
    expect(mk({ replicas: 0 })).toThrow("test/mesh: replicas must be an integer >= 1 (got 0)");
    expect(mk({ replicas: 1.5 })).toThrow('replicas must be an integer >= 1 (got 1.5)');
  });

  test('autoscaling.minReplicas >= 1 and maxReplicas >= minReplicas', () => {
    expect(mk({ autoscaling: { minReplicas: 1, maxReplicas: 1 } })).not.toThrow();
    expect(mk({ autoscaling: { minReplicas: 0, maxReplicas: 1 } })).toThrow('autoscaling.minReplicas must be an integer >= 1 (got 0)');
    expect(mk({ autoscaling: { minReplicas: 3, maxReplicas: 2 } })).toThrow('autoscaling.maxReplicas must be an integer >= 3 (got 2)');
  });

  test('autoscaling.targetCpuPercent is 1..100', () => {
    for (const ok of [1, 100]) expect(mk({ autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuPercent: ok } })).not.toThrow();
    expect(mk({ autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuPercent: 0 } }))
      .toThrow('test/mesh: autoscaling.targetCpuPercent must be an integer from 1 to 100 (got 0)');
    expect(mk({ autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuPercent: 101 } }))
      .toThrow('autoscaling.targetCpuPercent must be an integer from 1 to 100 (got 101)');
  });

  test('podDisruptionBudget.minAvailable is 0..replicas (minReplicas when autoscaling)', () => {
    expect(mk({ replicas: 2, podDisruptionBudget: { minAvailable: 0 } })).not.toThrow();
    expect(mk({ replicas: 2, podDisruptionBudget: { minAvailable: 2 } })).not.toThrow();
    expect(mk({ replicas: 2, podDisruptionBudget: { minAvailable: 3 } }))
      .toThrow('test/mesh: podDisruptionBudget.minAvailable must be an integer from 0 to 2 (got 3)');
    expect(mk({ replicas: 2, podDisruptionBudget: { minAvailable: -1 } })).toThrow('(got -1)');
    expect(mk({ autoscaling: { minReplicas: 3, maxReplicas: 5 }, podDisruptionBudget: { minAvailable: 3 } })).not.toThrow();
  });

  test('namespace and trust domain must be DNS names', () => {
    expect(mk({ namespace: 'Istio_System' })).toThrow("test/mesh: namespace must be a DNS label");
    expect(mk({ namespace: 'a'.repeat(63) })).not.toThrow();
    expect(mk({ namespace: 'a'.repeat(64) })).toThrow('namespace must be a DNS label');
    expect(mk({ mtls: MtlsMode.UNSET })).toThrow("test/mesh: mtls must be one of STRICT, PERMISSIVE, DISABLE (the mesh has no parent to inherit from) (got 'UNSET')");
    expect(mk({ trustDomain: 'bad domain' })).toThrow("trustDomain must be a DNS subdomain (lower-case letters, digits, \"-\" and \".\", at most 253 characters) (got 'bad domain')");
  });
});
