/** The Pulumi program (stacks/pulumi.ts) with every meshform setting overridden. */
import * as pulumi from '@pulumi/pulumi';
import { allRegistrations, byId, installMocks, kubernetesChildren, Registration, settle } from './harness';
installMocks();

import { Testing } from 'cdk8s';
import { BookinfoChart } from '../../stacks/bookinfo';

const IMAGE = 'registry.example.com/meshform/bookinfo:test';
let children: Registration[];
let program: typeof import('../../stacks/pulumi');

beforeAll(async () => {
  // Config and mocks are in place before the program module is loaded.
  pulumi.runtime.setAllConfig({
    'meshform:scenario': 'split-50',
    'meshform:namespace': 'shop',
    'meshform:image': IMAGE,
    'meshform:replicas': '3',
    'meshform:mtls': 'PERMISSIVE',
    'kubernetes:context': 'kind-meshform',
  });
  program = await import('../../stacks/pulumi');
  await settle();
  children = kubernetesChildren(allRegistrations().find((r) => r.type === 'meshform:index:MeshStack')!.urn);
});

function objects(kind: string): Array<Record<string, any>> {
  return children.filter((r) => r.inputs.kind === kind).map((r) => r.inputs as Record<string, any>);
}

test('overrides: the registered objects equal the chart built with the same props', () => {
  expect(program.scenario).toBe('split-50');
  const expected = Testing.synth(new BookinfoChart(Testing.app(), 'bookinfo', {
    scenario: 'split-50', namespace: 'shop', image: IMAGE, replicas: 3, mtls: 'PERMISSIVE',
  }));
  expect(byId(children.map((r) => r.inputs))).toEqual(byId(expected));
});

test('overrides land in the objects: namespace, replicas, image, mTLS mode', () => {
  const workloads = objects('Deployment').filter((d) => d.metadata.namespace === 'shop');
  expect(workloads.length).toBeGreaterThan(0);
  for (const d of workloads) expect([d.metadata.name, d.spec.replicas]).toEqual([d.metadata.name, 3]);
  expect(JSON.stringify(workloads)).toContain(IMAGE);
  const modes = objects('PeerAuthentication').map((p) => p.spec?.mtls?.mode);
  expect(modes).toContain('PERMISSIVE');
  expect(modes).not.toContain('STRICT');
});
