/** The Pulumi program (stacks/pulumi.ts) with an empty stack config. */
import { allRegistrations, byId, installMocks, kubernetesChildren, settle, valueOf } from './harness';
installMocks();

import { Testing } from 'cdk8s';
import { BookinfoChart } from '../../stacks/bookinfo';

type Program = typeof import('../../stacks/pulumi');

let program: Program;
beforeAll(async () => {
  // Mocks (and config) are in place before the program module is loaded.
  program = await import('../../stacks/pulumi');
  await settle();
});

test('defaults: the jason-v2 scenario in the default namespace, exactly as cdk8s synthesizes it', async () => {
  expect(program.scenario).toBe('jason-v2');
  const { MeshStack } = await import('../../constructs/pulumi');
  expect(MeshStack.TYPE).toBe('meshform:index:MeshStack');
  const chart = new BookinfoChart(Testing.app(), 'bookinfo');
  expect(await valueOf(program.controlPlaneService)).toBe(chart.mesh.xdsAddress);
  expect(await valueOf(program.ingressGatewayAddress)).toBeUndefined();
});

test('defaults: registered objects equal `new BookinfoChart(app, "bookinfo", { scenario: "jason-v2", namespace: "default" })`', async () => {
  const stackUrn = allRegistrations().find((r) => r.type === 'meshform:index:MeshStack')!.urn;
  const children = kubernetesChildren(stackUrn);
  const expected = Testing.synth(new BookinfoChart(Testing.app(), 'bookinfo', { scenario: 'jason-v2', namespace: 'default' }));
  expect(byId(children.map((r) => r.inputs))).toEqual(byId(expected));
});
