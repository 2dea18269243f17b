/**
 * The part of an `ApiObject`'s manifest the built-in rules read, rendered without
 * rendering the rest.
 *
 * Rendering a whole Deployment (pod spec, containers, probes...) costs as much as
 * writing it out, and the synth-time analysis runs on every validation pass. The
 * built-in rules read, per kind:
 * - every object: `apiVersion`, `kind`, `metadata` (name, namespace, labels, annotations);
 * - Deployments, StatefulSets, DaemonSets: also `spec.template.metadata`;
 * - Istio kinds, Gateway API Gateways, Services, Pods: the whole object.
 *
 * The view is rendered the way `ApiObject.toJson()` renders those fields: the same
 * resolvers (so `Lazy` values and tokens resolve), the same key paths, nulls
 * dropped. It is used only where that is provably the same as the full render: for
 * cdk8s' own `ApiObject` and the generated core kinds of cdk8s-plus (whose
 * `toJson()` only renames keys, and keeps the metadata and pod template metadata
 * keys as they are). JSON patches on the rendered fields are applied to the view;
 * patches elsewhere cannot change it. Anything else (custom `toJson()` overrides,
 * patches that move or copy data or replace a parent such as `/spec`, values that
 * are not plain data, custom resolvers) falls back to the full `toJson()`.
 */
import {
  ApiObject, App, ImplicitTokenResolver, IResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, ResolutionContext, resolve,
} from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';

/** Kinds whose whole manifest the rules read, as `group/kind` (core group ''). */
const WHOLE = new Set(['/Service', '/Pod', '/Namespace', 'gateway.networking.k8s.io/Gateway']);
const WHOLE_GROUPS = new Set(['networking.istio.io', 'security.istio.io']);
/** Kinds of which the rules read the pod template's metadata besides the object's. */
const POD_TEMPLATE = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet']);

let generated: ReadonlySet<unknown> | undefined;

/** The classes whose `toJson()` is known to keep metadata and pod template metadata as resolved. */
function hasPlainToJson(object: ApiObject): boolean {
  const type = object.constructor;
  if (type === ApiObject) return true;
  // (`instanceof` is no use on prototypes: ApiObject overrides it to check for a marker of instances.)
  generated ??= new Set(Object.values(k8s).filter((v) => typeof v === 'function' && ApiObject.prototype.isPrototypeOf(v.prototype)));
  return generated.has(type);
}

/** Thrown when the view cannot be rendered exactly; the caller renders the whole object. */
class NotPlain extends Error {}

/**
 * The manifest of `object` as far as the built-in rules read it, or the whole
 * `toJson()` where a partial render could differ. Throws what `toJson()` throws.
 */
export function analysisView(object: ApiObject): unknown {
  const group = object.apiGroup === 'core' ? '' : object.apiGroup;
  const key = `${group}/${object.kind}`;
  if (WHOLE.has(key) || WHOLE_GROUPS.has(group) || !hasPlainToJson(object)) {
    return object.toJson();
  }
  const regions = POD_TEMPLATE.has(key) ? ['/metadata', '/spec/template/metadata'] : ['/metadata'];
  try {
    const resolvers = App.of(object).resolvers;
    // A custom resolver may replace any value, the whole object included: render it all.
    if (!resolvers.every(isBuiltInResolver)) return object.toJson();
    const view: Record<string, unknown> = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: plain(resolve(['metadata'], object.metadata.toJson(), object)),
    };
    if (POD_TEMPLATE.has(key)) {
      const spec = step(['spec'], propsOf(object).spec, object, resolvers);
      const template = step(['spec', 'template'], record(spec)?.template, object, resolvers);
      const metadata = plain(resolve(['spec', 'template', 'metadata'], record(template)?.metadata, object));
      if (metadata !== undefined) view.spec = { template: { metadata } };
    }
    return applyPatches(object, view, regions);
  } catch (e) {
    if (e instanceof NotPlain) return object.toJson();
    throw e;
  }
}

function isBuiltInResolver(resolver: IResolver): boolean {
  return resolver instanceof LazyResolver || resolver instanceof ImplicitTokenResolver || resolver instanceof NumberStringUnionResolver;
}

/** The props an ApiObject renders from (cdk8s keeps them in a private field). */
function propsOf(object: ApiObject): Record<string, unknown> {
  const props = (object as unknown as { props?: unknown }).props;
  const r = record(props);
  if (!r) throw new NotPlain();
  return r;
}

/**
 * Applies the object's JSON patches that fall inside the rendered `regions`, in
 * order, skipping those on fields outside them (they cannot change the view).
 * Patches that could move data into the view (`move`, `copy`), `test`s, and patches
 * on a parent of a region (`/spec`) make the view unsafe.
 */
function applyPatches(object: ApiObject, view: Record<string, unknown>, regions: readonly string[]): unknown {
  const patches = (object as unknown as { patches?: unknown }).patches;
  if (!Array.isArray(patches)) throw new NotPlain();
  let document: unknown = view;
  for (const patch of patches as JsonPatch[]) {
    const operation = (patch as unknown as { _toJson?: () => unknown })._toJson?.();
    const op = record(operation)?.op;
    const path = record(operation)?.path;
    if (typeof path !== 'string' || (op !== 'add' && op !== 'remove' && op !== 'replace')) throw new NotPlain();
    const inside = regions.some((r) => path === r || path.startsWith(`${r}/`));
    if (!inside) {
      const disjoint = path !== '' && regions.every((r) => !r.startsWith(`${path}/`))
        && path !== '/apiVersion' && path !== '/kind';
      if (!disjoint) throw new NotPlain();
      continue;
    }
    try {
      document = JsonPatch.apply(document, patch);
    } catch {
      throw new NotPlain(); // the full render reports it
    }
  }
  return document;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The value at `key` after the resolvers are done with it (what `resolve` does to
 * a value before it walks into its children), without resolving the children.
 */
function step(key: string[], value: unknown, object: ApiObject, resolvers: readonly IResolver[]): unknown {
  let current = value;
  for (let guard = 0; guard < 1000; guard++) {
    if (current == null) return current;
    const context = new ResolutionContext(object, key, current);
    let replaced = false;
    for (const resolver of resolvers) {
      resolver.resolve(context);
      if (context.replaced) {
        current = context.replacedValue;
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      if (Array.isArray(current) || (current as object).constructor !== Object) throw new NotPlain();
      return current;
    }
  }
  throw new NotPlain();
}

/** A resolved value as `toJson()` sanitizes it: nulls dropped; anything but plain data is refused. */
function plain(value: unknown): unknown {
  if (value == null) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if ((value as object).constructor?.name !== 'Object') throw new NotPlain();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = plain(v);
    if (p != null) out[k] = p;
  }
  return out;
}
