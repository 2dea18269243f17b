/**
 * Test harness for the Pulumi adapter: Pulumi's official unit-test mocks
 * (`pulumi.runtime.setMocks`), plus a recorder of what each registration asked
 * for, including its explicit dependencies (which the mock callbacks do not see).
 *
 * Import this module, and call {@link installMocks}, before importing any module
 * that creates resources.
 */
import * as pulumi from '@pulumi/pulumi';
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks';
import * as runtimeSettings from '@pulumi/pulumi/runtime/settings';
import { KubeManifest } from '../../constructs/pulumi';

/** One resource registration as the engine would have received it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parentUrn: string;
  readonly inputs: Record<string, unknown>;
  /** URNs of the resources this one explicitly depends on. */
  readonly dependencies: readonly string[];
}

/** Minimal view of the RegisterResourceRequest the SDK sends to the monitor. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
}

const registrations: Registration[] = [];
const pendingDeps = new Map<string, { parentUrn: string; dependencies: string[] }>();
let installed = false;
let loadBalancerIngress: Record<string, string> | undefined;

/**
 * Makes the mocked cluster give every LoadBalancer Service registered from now
 * on this ingress (`{ ip }` or `{ hostname }`) in its status, as a cloud would;
 * `undefined` (the default) leaves the status empty.
 */
export function assignLoadBalancerIngress(ingress: Record<string, string> | undefined): void {
  loadBalancerIngress = ingress;
}

function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const spec = inputs.spec as { type?: unknown } | undefined;
  if (type !== 'kubernetes:core/v1:Service' || spec?.type !== 'LoadBalancer' || loadBalancerIngress === undefined) return inputs;
  return { ...inputs, status: { loadBalancer: { ingress: [loadBalancerIngress] } } };
}

function urnOf(parentUrn: string, type: string, name: string): string {
  const qualified = parentUrn === '' ? type : `${parentUrn.split('::')[2].split('$').pop()}$${type}`;
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

/** Installs the mocks once per test file; later calls are no-ops. */
export function installMocks(): void {
  if (installed) return;
  installed = true;
  const proto = MockMonitor.prototype as unknown as {
    registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): Promise<void>;
  };
  const original = proto.registerResource;
  proto.registerResource = function (this: unknown, req: RegisterRequest, callback: (err: unknown, res: unknown) => void) {
    pendingDeps.set(`${req.getType()}::${req.getName()}`, { parentUrn: req.getParent(), dependencies: req.getDependenciesList() });
    return original.call(this, req, callback);
  };
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const meta = pendingDeps.get(`${args.type}::${args.name}`) ?? { parentUrn: '', dependencies: [] };
        registrations.push({
          type: args.type,
          name: args.name,
          urn: urnOf(meta.parentUrn, args.type, args.name),
          parentUrn: meta.parentUrn,
          inputs: args.inputs as Record<string, unknown>,
          dependencies: meta.dependencies,
        });
        return { id: `${args.name}_id`, state: mockState(args.type, args.inputs as Record<string, unknown>) };
      },
      call(args) {
        return args.inputs;
      },
    },
    'meshform',
    'test',
  );
}

/** Every registration so far, in registration order. */
export function allRegistrations(): readonly Registration[] {
  return registrations;
}

/** Resolves an Output to its value (mocks run as `pulumi up`, so values are known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until every given resource has finished registering. */
export async function registered(resources: Iterable<pulumi.Resource>): Promise<void> {
  await valueOf(pulumi.all([...resources].map((r) => r.urn)));
}

/**
 * Waits until every registration the program has started so far is done, for
 * programs that do not export their resources. Uses the SDK's own RPC tracker
 * (`waitForRPCs`, what `pulumi` itself awaits before exiting; not in its typings).
 */
export async function settle(): Promise<void> {
  const { waitForRPCs } = runtimeSettings as unknown as { waitForRPCs?: () => Promise<void> };
  if (waitForRPCs === undefined) throw new Error('@pulumi/pulumi/runtime/settings no longer has waitForRPCs; update test/pulumi/harness.ts');
  await waitForRPCs();
}

/** Kubernetes objects registered under a parent (the MeshStack's URN), with their registrations. */
export function kubernetesChildren(parentUrn: string): Registration[] {
  return registrations.filter((r) => r.parentUrn === parentUrn && r.type.startsWith('kubernetes:'));
}

/** `kind namespace/name` of a manifest-like object. */
export function objectId(o: { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } }): string {
  const ns = o.metadata?.namespace;
  return `${String(o.kind)} ${typeof ns === 'string' ? `${ns}/` : ''}${String(o.metadata?.name)}`;
}

/** Objects keyed and sorted by {@link objectId}, so two sets compare with toEqual. */
export function byId(objects: readonly object[]): Record<string, unknown> {
  const entries = objects.map((o) => [objectId(o as KubeManifest), o] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

/** True when `from` reaches `to` through recorded dependencies. */
export function dependsTransitively(from: string, to: string, byUrn: ReadonlyMap<string, Registration>): boolean {
  const seen = new Set<string>();
  const stack = [...(byUrn.get(from)?.dependencies ?? [])];
  while (stack.length > 0) {
    const urn = stack.pop()!;
    if (urn === to) return true;
    if (seen.has(urn)) continue;
    seen.add(urn);
    stack.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return false;
}
