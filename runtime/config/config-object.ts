/**
 * One object of the mesh configuration as the store holds it: an Istio resource
 * (validated against the API layer) or a Kubernetes object the registry reads
 * (Service, EndpointSlice, Endpoints, Pod, Deployment, Namespace), with where it
 * came from so every message can point at it.
 */

/** Where an object was read: file and position in its document stream (from 1). */
export interface ConfigOrigin {
  /** Name of the source (`file`, `kubernetes`, ...). */
  readonly source: string;
  /** File the object was read from, when it came from a file. */
  readonly file?: string;
  /** Document index in the file, from 1. */
  readonly index?: number;
}

/** An object of the configuration. `spec` is typed by whoever reads it (see ConfigSnapshot.istio). */
export interface ConfigObject<S = unknown> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Namespace, `defaultNamespace` of the source when the manifest names none. */
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: S;
  /** The whole manifest as read (status, data, ...). */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly origin: ConfigOrigin;
}

/** `Kind/namespace/name`: how the store keys an object. */
export function configKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The key of an object. */
export function keyOf(object: Pick<ConfigObject, 'kind' | 'namespace' | 'name'>): string {
  return configKey(object.kind, object.namespace, object.name);
}

/** `file#index (Kind ns/name)`, or as much of it as is known. */
export function describeOrigin(origin: ConfigOrigin, kind?: string, namespace?: string, name?: string): string {
  const where = origin.file !== undefined ? `${origin.file}${origin.index !== undefined ? `#${origin.index}` : ''}` : origin.source;
  if (kind === undefined) return where;
  return `${where} (${kind} ${namespace ?? '?'}/${name ?? '<no name>'})`;
}
