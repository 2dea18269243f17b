import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { describeManifest, KubeManifest } from './manifest';
import { PlannedObject, planObjects } from './plan';
import { createResource } from './private/resource-factory';
import { StackDefinition, synthInMemory } from './synth';

/** The xDS (plaintext gRPC) port of the control plane, as in Istio. */
export const CONTROL_PLANE_XDS_PORT = 15010;

/** Label that marks the ingress gateway's Service, as in Istio. */
const INGRESS_GATEWAY_LABEL = { key: 'istio', value: 'ingressgateway' } as const;

export interface MeshStackArgs {
  /**
   * The stack definition: a function that adds charts to a cdk8s `App`, the
   * same one the cdk8s app runs, e.g.
   * `app => new BookinfoChart(app, 'bookinfo', { scenario: 'split-50' })`.
   */
  readonly define: StackDefinition;
}

/**
 * Deploys a meshform stack definition with Pulumi: the definition is
 * synthesized in memory (with every synth-time validation cdk8s runs) and each
 * synthesized object becomes one @pulumi/kubernetes resource, so `pulumi up`
 * applies exactly the objects `cdk8s synth` writes.
 *
 * Objects are created CRDs first, then Namespaces, then the control plane and
 * the other core objects, then Istio resources; each Istio (custom) resource
 * depends on its CRD and each namespaced object on its Namespace when those are
 * in the set. Resource names are `<name>:<Kind>:<namespace>/<object name>`, so
 * re-running the program never renames anything.
 */
export class MeshStack extends pulumi.ComponentResource {
  /** The Pulumi type token of this component. */
  public static readonly TYPE = 'meshform:index:MeshStack';

  /** The synthesized objects, in the order cdk8s emits them. */
  public readonly manifests: readonly KubeManifest[];
  /** The objects in creation order, with their explicit dependencies. */
  public readonly plan: readonly PlannedObject[];
  /** The Pulumi resource of every object, by its manifest key (group/kind/namespace/name). */
  public readonly resources: ReadonlyMap<string, pulumi.CustomResource>;
  /**
   * The LoadBalancer ingress IP (or hostname) of the Service labelled
   * `istio: ingressgateway`; undefined when there is no such Service or the
   * cluster has not assigned an address.
   */
  public readonly ingressGatewayAddress: pulumi.Output<string | undefined>;
  /**
   * The control plane's xDS address, `<service>.<namespace>.svc:15010`, from the
   * Service that exposes port 15010; undefined when the stack installs no control plane.
   */
  public readonly controlPlaneService: pulumi.Output<string | undefined>;

  constructor(name: string, args: MeshStackArgs, opts?: pulumi.ComponentResourceOptions) {
    // Synthesize (and validate) before anything is registered: a definition that
    // fails `cdk8s synth` fails `pulumi preview` without touching the stack.
    const manifests = synthInMemory(args.define);
    const plan = planObjects(name, manifests);
    super(MeshStack.TYPE, name, {}, opts);
    this.manifests = manifests;
    this.plan = plan;

    const resources = new Map<string, pulumi.CustomResource>();
    for (const object of plan) {
      const dependsOn = object.dependsOn.map((key) => {
        const dep = resources.get(key);
        if (dep === undefined) throw new Error(`MeshStack ${name}: ${describeManifest(object.manifest)} depends on ${key}, which is not created before it`);
        return dep;
      });
      resources.set(object.key, createResource(object.name, object.manifest, { parent: this, dependsOn }));
    }
    this.resources = resources;

    this.ingressGatewayAddress = ingressAddress(findIngressGatewayService(plan, resources));
    this.controlPlaneService = controlPlaneAddress(findControlPlaneService(plan, resources));
    this.registerOutputs({
      ingressGatewayAddress: this.ingressGatewayAddress,
      controlPlaneService: this.controlPlaneService,
    });
  }
}

interface ServiceObject {
  readonly manifest: KubeManifest;
  readonly resource: pulumi.CustomResource;
}

function services(plan: readonly PlannedObject[], resources: ReadonlyMap<string, pulumi.CustomResource>): ServiceObject[] {
  return plan
    .filter((p) => p.manifest.apiVersion === 'v1' && p.manifest.kind === 'Service')
    .map((p) => ({ manifest: p.manifest, resource: resources.get(p.key)! }));
}

function findIngressGatewayService(plan: readonly PlannedObject[], resources: ReadonlyMap<string, pulumi.CustomResource>): ServiceObject | undefined {
  return services(plan, resources).find((s) => s.manifest.metadata.labels?.[INGRESS_GATEWAY_LABEL.key] === INGRESS_GATEWAY_LABEL.value);
}

function servicePorts(manifest: KubeManifest): number[] {
  const ports = (manifest.spec as { ports?: Array<{ port?: unknown }> } | undefined)?.ports ?? [];
  return ports.map((p) => p.port).filter((p): p is number => typeof p === 'number');
}

/** The Service exposing the xDS port; a Service labelled like istiod wins over others. */
function findControlPlaneService(plan: readonly PlannedObject[], resources: ReadonlyMap<string, pulumi.CustomResource>): ServiceObject | undefined {
  const candidates = services(plan, resources).filter((s) => servicePorts(s.manifest).includes(CONTROL_PLANE_XDS_PORT));
  const looksLikeIstiod = (s: ServiceObject): boolean => {
    const labels = s.manifest.metadata.labels ?? {};
    return labels.app === 'istiod' || labels.istio === 'pilot';
  };
  return candidates.find(looksLikeIstiod) ?? candidates[0];
}

function ingressAddress(svc: ServiceObject | undefined): pulumi.Output<string | undefined> {
  if (svc === undefined || !(svc.resource instanceof k8s.core.v1.Service)) return pulumi.output<string | undefined>(undefined);
  return svc.resource.status.apply((status) => {
    const ingress = status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip || ingress?.hostname;
    return address === undefined || address === '' ? undefined : address;
  });
}

function controlPlaneAddress(svc: ServiceObject | undefined): pulumi.Output<string | undefined> {
  if (svc === undefined) return pulumi.output<string | undefined>(undefined);
  const planned = svc.manifest.metadata;
  // Read the live metadata when the typed class gives it (it carries the namespace
  // Kubernetes defaulted), the synthesized one otherwise.
  const live: pulumi.Output<{ name?: string; namespace?: string } | undefined> =
    svc.resource instanceof k8s.core.v1.Service ? svc.resource.metadata : pulumi.output(undefined);
  return live.apply((m) => `${m?.name ?? planned.name}.${m?.namespace ?? planned.namespace ?? 'default'}.svc:${CONTROL_PLANE_XDS_PORT}`);
}
