import { ManifestObject } from './manifest-object';
import { asRecord, asStringMap } from './private/fields';

/** The workload kinds whose pods the rules look at, and where their pod labels live. */
const POD_TEMPLATE_KINDS: ReadonlyArray<readonly [group: string, kind: string]> = [
  ['apps', 'Deployment'],
  ['apps', 'StatefulSet'],
  ['apps', 'DaemonSet'],
];

/** Pods of a workload: the object that declares them and their labels. */
export interface Workload {
  /** The Deployment, StatefulSet, DaemonSet or Pod. */
  readonly object: ManifestObject;
  /** Labels the pods carry. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Field path of those labels: `spec.template.metadata.labels` or `metadata.labels`. */
  readonly labelsField: string;
  /** False when the pods opt out of the mesh (`sidecar.istio.io/inject: "false"`). */
  readonly injected: boolean;
  /** Annotations the pods carry (`sidecar.istio.io/status` marks a done injection). */
  readonly podAnnotations: Readonly<Record<string, string>>;
}

/** The workload view of `object`, or undefined when it declares no pods. */
export function workloadOf(object: ManifestObject): Workload | undefined {
  if (object.is('', 'Pod')) {
    const annotations = asStringMap(asRecord(object.raw.metadata)?.annotations);
    return {
      object,
      podLabels: object.labels,
      labelsField: 'metadata.labels',
      injected: isInjected(object.labels, annotations),
      podAnnotations: annotations,
    };
  }
  if (POD_TEMPLATE_KINDS.some(([g, k]) => object.is(g, k))) {
    const metadata = asRecord(asRecord(object.spec.template)?.metadata);
    const labels = asStringMap(metadata?.labels);
    const annotations = asStringMap(metadata?.annotations);
    return {
      object,
      podLabels: labels,
      labelsField: 'spec.template.metadata.labels',
      injected: isInjected(labels, annotations),
      podAnnotations: annotations,
    };
  }
  return undefined;
}

const INJECT_KEY = 'sidecar.istio.io/inject';

function isInjected(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): boolean {
  const value = labels[INJECT_KEY] ?? annotations[INJECT_KEY];
  return value === undefined || value.toLowerCase() !== 'false';
}
