import { apiGroup, KubeManifest, manifestKey } from './manifest';

/**
 * The order in which the adapter creates objects. Istio resources must never
 * race the CRDs that define them, and namespaced objects need their Namespace.
 */
export enum Phase {
  /** CustomResourceDefinitions. */
  CRDS = 0,
  /** Namespaces. */
  NAMESPACES = 1,
  /** The control plane and every other built-in (or unknown) kind. */
  CORE = 2,
  /** Istio resources, and any object whose CRD is in the same set. */
  CUSTOM_RESOURCES = 3,
}

/** One object to create, with the objects it must wait for. */
export interface PlannedObject {
  readonly manifest: KubeManifest;
  /** {@link manifestKey} of the object. */
  readonly key: string;
  /** The Pulumi logical name: stable across runs, derived from kind, namespace and name. */
  readonly name: string;
  readonly phase: Phase;
  /** Keys of the objects this one explicitly depends on (CRD, Namespace). */
  readonly dependsOn: readonly string[];
}

const CRD_KIND = 'CustomResourceDefinition';
const CRD_GROUP = 'apiextensions.k8s.io';

/** True for Istio's API groups (`networking.istio.io`, `security.istio.io`, ...). */
export function isIstioGroup(group: string): boolean {
  return group === 'istio.io' || group.endsWith('.istio.io');
}

/**
 * The Pulumi logical name of an object: `<prefix>:<Kind>:<namespace>/<name>`,
 * or `<prefix>:<Kind>:<name>` when cluster-scoped. Kubernetes names hold no `/`,
 * so the name is unique per kind; the Pulumi resource type (which carries the
 * API group) keeps same-named kinds of different groups apart.
 */
export function logicalName(prefix: string, m: KubeManifest): string {
  const ns = m.metadata.namespace;
  return `${prefix}:${m.kind}:${ns === undefined ? '' : `${ns}/`}${m.metadata.name}`;
}

/** `group/Kind` of the custom resources a CRD manifest defines, if it names them. */
function definedKind(crd: KubeManifest): string | undefined {
  const spec = crd.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
  if (typeof spec?.group !== 'string' || typeof spec.names?.kind !== 'string') return undefined;
  return `${spec.group}/${spec.names.kind}`;
}

function isCrd(m: KubeManifest): boolean {
  return m.kind === CRD_KIND && apiGroup(m.apiVersion) === CRD_GROUP;
}

function isNamespace(m: KubeManifest): boolean {
  return m.kind === 'Namespace' && m.apiVersion === 'v1';
}

/**
 * Orders the objects by {@link Phase} (stable within a phase, so the chart's own
 * order is kept) and computes the explicit dependencies: a custom resource
 * depends on its CRD when that CRD is in the set, and a namespaced object
 * depends on its Namespace when that Namespace is in the set.
 */
export function planObjects(prefix: string, manifests: readonly KubeManifest[]): PlannedObject[] {
  const crdByKind = new Map<string, string>();
  const namespaceKeys = new Map<string, string>();
  for (const m of manifests) {
    if (isCrd(m)) {
      const kind = definedKind(m);
      if (kind !== undefined) crdByKind.set(kind, manifestKey(m));
    } else if (isNamespace(m)) {
      namespaceKeys.set(m.metadata.name, manifestKey(m));
    }
  }

  const planned = manifests.map((m, index) => {
    const group = apiGroup(m.apiVersion);
    const crdKey = crdByKind.get(`${group}/${m.kind}`);
    let phase: Phase;
    if (isCrd(m)) phase = Phase.CRDS;
    else if (isNamespace(m)) phase = Phase.NAMESPACES;
    else if (crdKey !== undefined || isIstioGroup(group)) phase = Phase.CUSTOM_RESOURCES;
    else phase = Phase.CORE;

    const dependsOn: string[] = [];
    if (crdKey !== undefined && phase === Phase.CUSTOM_RESOURCES) dependsOn.push(crdKey);
    const ns = m.metadata.namespace;
    const nsKey = ns === undefined ? undefined : namespaceKeys.get(ns);
    if (nsKey !== undefined && phase !== Phase.NAMESPACES) dependsOn.push(nsKey);

    const object: PlannedObject = { manifest: m, key: manifestKey(m), name: logicalName(prefix, m), phase, dependsOn };
    return { object, index };
  });

  planned.sort((a, b) => a.object.phase - b.object.phase || a.index - b.index);
  return planned.map((p) => p.object);
}
