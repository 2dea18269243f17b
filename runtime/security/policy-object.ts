/**
 * Security policies as the engines take them, and which of them apply to a
 * workload (Istio's rules): policies of the workload's namespace and of the
 * root namespace, whose selector is empty or a subset of the workload's labels.
 */
import type { ConfigObject } from '../config/config-object';
import type { WorkloadSelector } from '../../constructs/api/common';

/** Istio's default root namespace. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** A policy: where it lives, its spec, and when it was created (for "oldest wins"). */
export interface PolicyObject<S> {
  readonly namespace: string;
  readonly name: string;
  readonly spec: S;
  /** RFC 3339 `metadata.creationTimestamp`. @default - unknown: sorts after dated policies, then by namespace/name */
  readonly creationTimestamp?: string;
}

/** The workload a set of policies is compiled for. */
export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Options shared by the engines. */
export interface PolicyScopeOptions {
  /** Istio's root namespace: its selector-less policies are mesh-wide. @default 'istio-system' */
  readonly rootNamespace?: string;
}

/** A policy from a config-store object (`creationTimestamp` read from the manifest). */
export function policyFromConfig<S>(object: ConfigObject<S>): PolicyObject<S> {
  const metadata = (object.manifest as { metadata?: { creationTimestamp?: unknown } }).metadata;
  const ts = metadata?.creationTimestamp;
  return {
    namespace: object.namespace,
    name: object.name,
    spec: object.spec,
    ...(typeof ts === 'string' ? { creationTimestamp: ts } : ts instanceof Date ? { creationTimestamp: ts.toISOString() } : {}),
  };
}

/** `<namespace>/<name>`. */
export function policyKey(policy: Pick<PolicyObject<unknown>, 'namespace' | 'name'>): string {
  return `${policy.namespace}/${policy.name}`;
}

/** Whether a selector has labels (an empty `matchLabels` selects everything, like no selector). */
export function hasSelector(selector: WorkloadSelector | undefined): boolean {
  return selector?.matchLabels !== undefined && Object.keys(selector.matchLabels).length > 0;
}

/** Whether every label of the selector is on the workload. */
export function selectorMatches(selector: WorkloadSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!hasSelector(selector)) return true;
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** Oldest first; undated after dated; then namespace, then name. */
export function compareAge(a: PolicyObject<unknown>, b: PolicyObject<unknown>): number {
  const ta = a.creationTimestamp !== undefined ? Date.parse(a.creationTimestamp) : Number.POSITIVE_INFINITY;
  const tb = b.creationTimestamp !== undefined ? Date.parse(b.creationTimestamp) : Number.POSITIVE_INFINITY;
  if (ta !== tb) return (Number.isNaN(ta) ? Infinity : ta) < (Number.isNaN(tb) ? Infinity : tb) ? -1 : 1;
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

/**
 * Policies applying to `workload`: in its namespace or the root namespace, with
 * no selector or one matching its labels; oldest first.
 */
export function policiesFor<S extends { readonly selector?: WorkloadSelector }>(
  policies: readonly PolicyObject<S>[],
  workload: Workload,
  options: PolicyScopeOptions = {},
): PolicyObject<S>[] {
  const root = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  return policies
    .filter((p) => (p.namespace === workload.namespace || p.namespace === root) && selectorMatches(p.spec.selector, workload.labels))
    .sort(compareAge);
}
