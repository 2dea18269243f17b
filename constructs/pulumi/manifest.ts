/**
 * A Kubernetes object as a synthesized chart renders it: plain JSON, with
 * `apiVersion`, `kind` and `metadata.name` always present.
 */
export interface KubeManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeObjectMeta;
  readonly [field: string]: unknown;
}

/** The part of `metadata` the Pulumi adapter reads. */
export interface KubeObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/**
 * `kind namespace/name` (or `kind name` for cluster-scoped objects): how errors
 * and the dependency plan name an object.
 */
export function describeManifest(m: KubeManifest): string {
  return `${m.kind} ${m.metadata.namespace === undefined ? '' : `${m.metadata.namespace}/`}${m.metadata.name}`;
}

/**
 * A key unique per Kubernetes object: API group, kind, namespace and name.
 * (The version is left out: the same object cannot exist twice under two versions.)
 */
export function manifestKey(m: KubeManifest): string {
  return `${apiGroup(m.apiVersion)}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** The API group of an `apiVersion` (`''` for the core group `v1`). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Checks that a synthesized object has the shape the adapter relies on, and
 * narrows it. `where` names the chart the object came from.
 */
export function asManifest(obj: unknown, where: string): KubeManifest {
  const fail = (what: string, got: unknown): never => {
    throw new Error(`${where}: synthesized object ${what} (got ${JSON.stringify(got)})`);
  };
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('must be a JSON object', obj);
  const o = obj as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') return fail('has no apiVersion', o.apiVersion);
  if (typeof o.kind !== 'string' || o.kind === '') return fail('has no kind', o.kind);
  const meta = o.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return fail(`${o.kind}: has no metadata`, meta);
  const m = meta as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name === '') return fail(`${o.kind}: has no metadata.name`, m.name);
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return fail(`${o.kind} ${m.name}: metadata.namespace must be a string`, m.namespace);
  return o as unknown as KubeManifest;
}
