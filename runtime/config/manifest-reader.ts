/**
 * Turns one YAML document into a store object: Istio kinds are validated with the
 * API layer's `validateObject`; the Kubernetes kinds the service registry reads
 * get a light shape check; every other kind is ignored (CRDs, ConfigMaps, ...).
 */
import { validateObject } from '../../constructs/api';
import type { ConfigObject, ConfigOrigin } from './config-object';

/** Kubernetes kinds the store keeps (the registry reads them; gateways read TLS Secrets named by credentialName). */
export const KUBERNETES_KINDS: ReadonlySet<string> = new Set([
  'Service', 'Endpoints', 'EndpointSlice', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Namespace', 'Secret',
]);

/** What one document turned out to be. */
export type ReadResult =
  | { readonly type: 'object'; readonly object: ConfigObject }
  | { readonly type: 'ignored' }
  | {
      readonly type: 'invalid';
      readonly errors: readonly string[];
      readonly kind?: string;
      readonly namespace?: string;
      readonly name?: string;
    };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Whether `apiVersion` belongs to an Istio API group. */
export function isIstioApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && /^[a-z.]+\.istio\.io\//.test(apiVersion);
}

/** Reads one document. Namespaced objects without a namespace get `defaultNamespace`. */
export function readManifest(document: unknown, origin: ConfigOrigin, defaultNamespace: string): ReadResult {
  if (!isRecord(document)) return { type: 'invalid', errors: [`expected a Kubernetes object, got ${Array.isArray(document) ? 'a list' : typeof document}`] };
  const { apiVersion, kind } = document;
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : defaultNamespace;
  const kindName = typeof kind === 'string' ? kind : undefined;
  if (kindName === 'List' && Array.isArray(document.items)) {
    return { type: 'invalid', kind: 'List', errors: ['kind List: expected one object per document, got a List'] };
  }
  if (isIstioApiVersion(apiVersion)) {
    const result = validateObject(document);
    if (!result.ok) return { type: 'invalid', errors: result.errors, kind: kindName, namespace, name };
    return { type: 'object', object: toObject(document, origin, namespace) };
  }
  if (kindName === undefined || !KUBERNETES_KINDS.has(kindName)) return { type: 'ignored' };
  const errors: string[] = [];
  if (typeof apiVersion !== 'string') errors.push('apiVersion: expected string');
  if (name === undefined || name === '') errors.push('metadata.name: required field missing');
  if (document.spec !== undefined && !isRecord(document.spec)) errors.push('spec: expected object');
  if (errors.length > 0) return { type: 'invalid', errors, kind: kindName, namespace, name };
  return { type: 'object', object: toObject(document, origin, kindName === 'Namespace' ? '' : namespace) };
}

function toObject(document: Record<string, unknown>, origin: ConfigOrigin, namespace: string): ConfigObject {
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  return {
    apiVersion: String(document.apiVersion),
    kind: String(document.kind),
    namespace,
    name: String(metadata.name),
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    spec: document.spec === undefined ? {} : document.spec,
    manifest: document,
    origin,
  };
}
