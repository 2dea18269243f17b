import { allRegistrations, assignLoadBalancerIngress, byId, dependsTransitively, installMocks, kubernetesChildren, registered, Registration, valueOf } from './harness';
installMocks();

import { App, Testing } from 'cdk8s';
import { MeshStack, Phase, synthInMemory } from '../../constructs/pulumi';
import { SampleMeshChart, SampleProps } from './fixtures/sample-chart';

/** The objects `cdk8s synth` would write for the sample chart. */
function cdk8sObjects(props: SampleProps): object[] {
  const app = Testing.app();
  return Testing.synth(new SampleMeshChart(app, 'sample', props));
}

/** The inputs of a registration, as a manifest (the SDK drops unset fields). */
function asObject(r: Registration): object {
  return r.inputs;
}

interface Deployed {
  readonly stack: MeshStack;
  readonly urn: string;
  readonly children: Registration[];
  readonly byUrn: Map<string, Registration>;
}

async function deploy(name: string, props: SampleProps): Promise<Deployed> {
  const stack = new MeshStack(name, { define: (app: App) => { new SampleMeshChart(app, 'sample', props); } });
  await registered(stack.resources.values());
  const urn = await valueOf(stack.urn);
  const children = kubernetesChildren(urn);
  return { stack, urn, children, byUrn: new Map(allRegistrations().map((r) => [r.urn, r])) };
}

describe('MeshStack with a small mesh chart', () => {
  let main: Deployed;
  let again: Deployed;
  beforeAll(async () => {
    main = await deploy('mesh', { namespace: 'shop', addLateRoute: true });
    assignLoadBalancerIngress({ hostname: 'lb-1234.example.com' });
    again = await deploy('mesh2', { namespace: 'shop', addLateRoute: true });
    assignLoadBalancerIngress(undefined);
  });

  test('registers the component under its type token', () => {
    expect(main.urn).toMatch(/::meshform:index:MeshStack::mesh$/);
  });

  test('parity: the registered objects are exactly the cdk8s synth output', () => {
    expect(byId(main.children.map(asObject))).toEqual(byId(cdk8sObjects({ namespace: 'shop', addLateRoute: true })));
    expect(main.children).toHaveLength(main.stack.manifests.length);
  });

  test('lazy values added after construction reach Pulumi', () => {
    const vs = main.children.find((r) => r.inputs.kind === 'VirtualService')!;
    expect((vs.inputs.spec as { http: Array<{ match?: unknown }> }).http[0].match).toEqual([{ uri: { prefix: '/late' } }]);
  });

  test('typed classes for built-in kinds, CustomResource (same type token) for the rest', () => {
    const typeOf = (id: string) => main.children.find((r) => byId([r.inputs])[id] !== undefined)?.type;
    expect(typeOf('Deployment shop/web')).toBe('kubernetes:apps/v1:Deployment');
    expect(typeOf('Service istio-system/istiod')).toBe('kubernetes:core/v1:Service');
    expect(typeOf('CustomResourceDefinition virtualservices.networking.istio.io')).toBe('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition');
    expect(typeOf('ClusterRole meshform-istiod')).toBe('kubernetes:rbac.authorization.k8s.io/v1:ClusterRole');
    expect(typeOf('Namespace shop')).toBe('kubernetes:core/v1:Namespace');
    expect(typeOf('VirtualService shop/web')).toBe('kubernetes:networking.istio.io/v1:VirtualService');
    // The typed Secret class would drop `extraField`, so the generic class carries it whole.
    expect(typeOf('Secret shop/odd')).toBe('kubernetes:v1:Secret');
  });

  test('ordering: every Istio resource depends on its CRD when the CRD is in the set', () => {
    const crdUrn = (name: string) => main.children.find((r) => r.inputs.kind === 'CustomResourceDefinition' && (r.inputs.metadata as { name: string }).name === name)!.urn;
    const vs = main.children.find((r) => r.inputs.kind === 'VirtualService')!;
    const pa = main.children.find((r) => r.inputs.kind === 'PeerAuthentication')!;
    expect(dependsTransitively(vs.urn, crdUrn('virtualservices.networking.istio.io'), main.byUrn)).toBe(true);
    expect(dependsTransitively(pa.urn, crdUrn('peerauthentications.security.istio.io'), main.byUrn)).toBe(true);
    expect(dependsTransitively(vs.urn, crdUrn('peerauthentications.security.istio.io'), main.byUrn)).toBe(false);
  });

  test('ordering: namespaced objects depend on their Namespace', () => {
    const nsUrn = (name: string) => main.children.find((r) => r.inputs.kind === 'Namespace' && (r.inputs.metadata as { name: string }).name === name)!.urn;
    for (const r of main.children) {
      const ns = (r.inputs.metadata as { namespace?: string }).namespace;
      if (ns === undefined) continue;
      expect([objectIdOf(r), dependsTransitively(r.urn, nsUrn(ns), main.byUrn)]).toEqual([objectIdOf(r), true]);
    }
  });

  test('ordering: CRDs, then Namespaces, then core objects, then Istio resources', () => {
    const phases = main.stack.plan.map((p) => p.phase);
    expect([...phases].sort((a, b) => a - b)).toEqual(phases);
    const kindsIn = (phase: Phase) => new Set(main.stack.plan.filter((p) => p.phase === phase).map((p) => p.manifest.kind));
    expect(kindsIn(Phase.CRDS)).toEqual(new Set(['CustomResourceDefinition']));
    expect(kindsIn(Phase.NAMESPACES)).toEqual(new Set(['Namespace']));
    expect(kindsIn(Phase.CUSTOM_RESOURCES)).toEqual(new Set(['VirtualService', 'PeerAuthentication', 'DestinationRule']));
    // Resources are constructed in plan order (the engine then orders them by their dependencies).
    expect([...main.stack.resources.keys()]).toEqual(main.stack.plan.map((p) => p.key));
  });

  test('names are derived from kind, namespace and name, and stable across runs', () => {
    const names = main.children.map((r) => r.name);
    expect(names).toContain('mesh:Deployment:shop/web');
    expect(names).toContain('mesh:ClusterRole:meshform-istiod');
    expect(again.children.map((r) => r.name.replace(/^mesh2:/, 'mesh:'))).toEqual(names);
    expect(byId(again.children.map(asObject))).toEqual(byId(main.children.map(asObject)));
  });

  test('outputs: control-plane service address and no ingress address before the cluster assigns one', async () => {
    expect(await valueOf(main.stack.controlPlaneService)).toBe('istiod.istio-system.svc:15010');
    expect(await valueOf(main.stack.ingressGatewayAddress)).toBeUndefined();
  });

  test('outputs: the ingress gateway address once the cluster assigns one', async () => {
    expect(await valueOf(again.stack.ingressGatewayAddress)).toBe('lb-1234.example.com');
  });
});

function objectIdOf(r: Registration): string {
  return Object.keys(byId([r.inputs]))[0];
}

describe('MeshStack inputs that fail', () => {
  test('a synth-time validation error fails before any resource is registered', () => {
    const before = allRegistrations().length;
    expect(() => new MeshStack('bad', { define: (app) => { new SampleMeshChart(app, 'sample', { replicas: 11 }); } }))
      .toThrow(/Validation failed with the following errors:\n {2}\[sample\] replicas: must be at most 10 \(got 11\)/);
    expect(allRegistrations().length).toBe(before);
  });

  test('a definition that adds no chart is rejected', () => {
    expect(() => synthInMemory(() => undefined)).toThrow(/added no chart/);
  });

  test('the same object from two charts is rejected', () => {
    expect(() => synthInMemory((app) => { new SampleMeshChart(app, 'a'); new SampleMeshChart(app, 'b'); }))
      .toThrow(/b: CustomResourceDefinition virtualservices.networking.istio.io is synthesized twice \(also by chart a\)/);
  });
});
