import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { KubeManifest } from '../manifest';

type ResourceCtor<A> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

interface TypedKind {
  /** The top-level fields (besides apiVersion, kind, metadata) the typed class carries. */
  readonly fields: readonly string[];
  readonly create: (name: string, manifest: KubeManifest, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;
}

function typed<A>(ctor: ResourceCtor<A>, ...fields: string[]): TypedKind {
  return { fields, create: (name, manifest, opts) => new ctor(name, manifest as unknown as A, opts) };
}

/**
 * Kinds with a typed @pulumi/kubernetes class, keyed by `apiVersion:kind`, so
 * `pulumi preview` shows each object under its own type with a field-level diff.
 */
const TYPED_KINDS: ReadonlyMap<string, TypedKind> = new Map<string, TypedKind>([
  ['apiextensions.k8s.io/v1:CustomResourceDefinition', typed(k8s.apiextensions.v1.CustomResourceDefinition, 'spec')],
  ['v1:Namespace', typed(k8s.core.v1.Namespace, 'spec')],
  ['v1:Service', typed(k8s.core.v1.Service, 'spec')],
  ['v1:ServiceAccount', typed(k8s.core.v1.ServiceAccount, 'automountServiceAccountToken', 'imagePullSecrets', 'secrets')],
  ['v1:ConfigMap', typed(k8s.core.v1.ConfigMap, 'binaryData', 'data', 'immutable')],
  ['v1:Secret', typed(k8s.core.v1.Secret, 'data', 'immutable', 'stringData', 'type')],
  ['apps/v1:Deployment', typed(k8s.apps.v1.Deployment, 'spec')],
  ['apps/v1:StatefulSet', typed(k8s.apps.v1.StatefulSet, 'spec')],
  ['apps/v1:DaemonSet', typed(k8s.apps.v1.DaemonSet, 'spec')],
  ['rbac.authorization.k8s.io/v1:ClusterRole', typed(k8s.rbac.v1.ClusterRole, 'aggregationRule', 'rules')],
  ['rbac.authorization.k8s.io/v1:ClusterRoleBinding', typed(k8s.rbac.v1.ClusterRoleBinding, 'roleRef', 'subjects')],
  ['rbac.authorization.k8s.io/v1:Role', typed(k8s.rbac.v1.Role, 'rules')],
  ['rbac.authorization.k8s.io/v1:RoleBinding', typed(k8s.rbac.v1.RoleBinding, 'roleRef', 'subjects')],
  ['policy/v1:PodDisruptionBudget', typed(k8s.policy.v1.PodDisruptionBudget, 'spec')],
  ['autoscaling/v2:HorizontalPodAutoscaler', typed(k8s.autoscaling.v2.HorizontalPodAutoscaler, 'spec')],
  ['autoscaling/v1:HorizontalPodAutoscaler', typed(k8s.autoscaling.v1.HorizontalPodAutoscaler, 'spec')],
  ['admissionregistration.k8s.io/v1:MutatingWebhookConfiguration', typed(k8s.admissionregistration.v1.MutatingWebhookConfiguration, 'webhooks')],
  ['admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration', typed(k8s.admissionregistration.v1.ValidatingWebhookConfiguration, 'webhooks')],
  ['networking.k8s.io/v1:NetworkPolicy', typed(k8s.networking.v1.NetworkPolicy, 'spec')],
  ['networking.k8s.io/v1:Ingress', typed(k8s.networking.v1.Ingress, 'spec')],
  ['batch/v1:Job', typed(k8s.batch.v1.Job, 'spec')],
  ['batch/v1:CronJob', typed(k8s.batch.v1.CronJob, 'spec')],
]);

const ALWAYS = new Set(['apiVersion', 'kind', 'metadata']);

/** The typed class for a manifest, if one exists and carries every field the manifest has. */
function typedKindFor(manifest: KubeManifest): TypedKind | undefined {
  const kind = TYPED_KINDS.get(`${manifest.apiVersion}:${manifest.kind}`);
  if (kind === undefined) return undefined;
  const extra = Object.keys(manifest).some((f) => !ALWAYS.has(f) && !kind.fields.includes(f));
  return extra ? undefined : kind;
}

/** True when {@link createResource} uses a typed class (rather than the generic `CustomResource`) for the manifest. */
export function hasTypedClass(manifest: KubeManifest): boolean {
  return typedKindFor(manifest) !== undefined;
}

/**
 * Creates the Pulumi resource for one object: its typed class when there is one,
 * otherwise `k8s.apiextensions.CustomResource` (Istio kinds and anything else).
 * Both register the same type token (`kubernetes:<apiVersion>:<kind>`); the
 * generic class is also the fallback when an object carries a top-level field
 * the typed class would drop, so no field is ever lost.
 */
export function createResource(name: string, manifest: KubeManifest, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const kind = typedKindFor(manifest);
  if (kind !== undefined) return kind.create(name, manifest, opts);
  return new k8s.apiextensions.CustomResource(name, manifest as k8s.apiextensions.CustomResourceArgs, opts);
}
