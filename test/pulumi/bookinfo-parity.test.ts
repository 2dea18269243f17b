/**
 * Parity: for every bookinfo scenario, `pulumi up` registers exactly the objects
 * `cdk8s synth` writes, and in a safe order. One registration per scenario.
 */
import { allRegistrations, assignLoadBalancerIngress, byId, dependsTransitively, installMocks, kubernetesChildren, registered, Registration, valueOf } from './harness';
installMocks();

import { Testing } from 'cdk8s';
import { apiGroup, isIstioGroup, KubeManifest, MeshStack, planObjects, synthInMemory } from '../../constructs/pulumi';
import { BOOKINFO_SCENARIOS, BookinfoChart, BookinfoScenario } from '../../stacks/bookinfo';

interface Run {
  readonly stack: MeshStack;
  readonly children: Registration[];
  readonly synthesized: object[];
  /** The address the chart's Mesh tells its proxies to use for xDS. */
  readonly xdsAddress: string;
}

const runs = new Map<BookinfoScenario, Run>();
let byUrn = new Map<string, Registration>();

beforeAll(async () => {
  // The mocked cluster hands every LoadBalancer Service an address, as a cloud would.
  assignLoadBalancerIngress({ ip: '203.0.113.10' });
  for (const scenario of BOOKINFO_SCENARIOS) {
    const stack = new MeshStack(`bookinfo-${scenario}`, { define: (app) => { new BookinfoChart(app, 'bookinfo', { scenario }); } });
    await registered(stack.resources.values());
    const children = kubernetesChildren(await valueOf(stack.urn));
    const chart = new BookinfoChart(Testing.app(), 'bookinfo', { scenario });
    runs.set(scenario, { stack, children, synthesized: Testing.synth(chart), xdsAddress: chart.mesh.xdsAddress });
  }
  byUrn = new Map(allRegistrations().map((r) => [r.urn, r]));
});

function manifestOf(r: Registration): KubeManifest {
  return r.inputs as unknown as KubeManifest;
}

describe.each([...BOOKINFO_SCENARIOS])('bookinfo scenario %s', (scenario) => {
  const run = (): Run => runs.get(scenario)!;

  test('parity: registered objects equal the cdk8s synth output, field for field', () => {
    expect(run().children).toHaveLength(run().synthesized.length);
    expect(byId(run().children.map((r) => r.inputs))).toEqual(byId(run().synthesized));
  });

  test('ordering: every Istio resource depends on its CRD', () => {
    const crds = new Map<string, string>();
    for (const r of run().children) {
      const m = manifestOf(r);
      if (m.kind !== 'CustomResourceDefinition') continue;
      const spec = m.spec as { group: string; names: { kind: string } };
      crds.set(`${spec.group}/${spec.names.kind}`, r.urn);
    }
    const istio = run().children.filter((r) => isIstioGroup(apiGroup(manifestOf(r).apiVersion)) && manifestOf(r).kind !== 'CustomResourceDefinition');
    expect(istio.length).toBeGreaterThan(0);
    for (const r of istio) {
      const m = manifestOf(r);
      const crd = crds.get(`${apiGroup(m.apiVersion)}/${m.kind}`);
      expect([m.kind, m.metadata.name, crd !== undefined]).toEqual([m.kind, m.metadata.name, true]);
      expect([m.kind, m.metadata.name, dependsTransitively(r.urn, crd!, byUrn)]).toEqual([m.kind, m.metadata.name, true]);
    }
  });

  test('ordering: namespaced objects depend on their Namespace when it is in the set', () => {
    const namespaces = new Map(run().children.filter((r) => manifestOf(r).kind === 'Namespace').map((r) => [manifestOf(r).metadata.name, r.urn]));
    for (const r of run().children) {
      const m = manifestOf(r);
      const nsUrn = m.metadata.namespace === undefined ? undefined : namespaces.get(m.metadata.namespace);
      if (nsUrn === undefined) continue;
      expect([m.kind, m.metadata.name, dependsTransitively(r.urn, nsUrn, byUrn)]).toEqual([m.kind, m.metadata.name, true]);
    }
  });

  test('outputs: the control-plane service address and the ingress gateway address', async () => {
    expect(await valueOf(run().stack.controlPlaneService)).toBe(run().xdsAddress);
    expect(await valueOf(run().stack.ingressGatewayAddress)).toBe('203.0.113.10');
  });
});

test('names are stable: synthesizing the scenario again yields the registered names', () => {
  const first = runs.get('jason-v2')!;
  const again = planObjects('bookinfo-jason-v2', synthInMemory((app) => { new BookinfoChart(app, 'bookinfo', { scenario: 'jason-v2' }); }));
  expect(again.map((p) => p.name).sort()).toEqual(first.children.map((r) => r.name).sort());
});

test('an error in the stack definition fails the MeshStack before anything is registered', () => {
  const before = allRegistrations().length;
  expect(() => new MeshStack('bookinfo-bad', { define: (app) => { new BookinfoChart(app, 'bookinfo', { namespace: 'Bad_NS' }); } }))
    .toThrow(/bookinfo\/mesh\/productpage: namespace must be a DNS label .*\(got 'Bad_NS'\)/);
  expect(allRegistrations().length).toBe(before);
});
