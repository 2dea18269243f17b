/**
 * One resource as a snapshot holds it: name, content version (a hash of its
 * encoded bytes), the packed Any and the plain object.
 */
import { AnyMessage, PlainMessage, packResource, unpackResource } from '../protos';
import { resourceName } from '../resource-types';
import { hashBytes } from './resource-version';
import type { CachedResource } from './watch';

/** A resource given to a snapshot: a plain object, or an already packed Any. */
export type SnapshotResource = PlainMessage | AnyMessage;

function isPacked(resource: SnapshotResource): resource is AnyMessage {
  return typeof resource.type_url === 'string' && resource.value instanceof Uint8Array;
}

/**
 * Packs `given` (or checks an already packed one) and computes its version.
 * Throws, naming `where`, when it has no name, its type URL differs, or it does not encode.
 */
export function toCached(typeUrl: string, given: SnapshotResource, where: string): CachedResource {
  let any: AnyMessage;
  let resource: PlainMessage;
  if (isPacked(given)) {
    if (given.type_url !== typeUrl) {
      throw new Error(`${where}: packed resource has type URL '${given.type_url}', expected '${typeUrl}'`);
    }
    any = { type_url: given.type_url, value: Buffer.from(given.value) };
    resource = unpackResource(any);
  } else {
    any = packResource(typeUrl, given);
    resource = given;
  }
  const name = resourceName(typeUrl, resource);
  if (name === undefined) {
    throw new Error(`${where}: resource has no name (expected a non-empty ${typeUrl.endsWith('ClusterLoadAssignment') ? 'cluster_name' : 'name'})`);
  }
  return Object.freeze({ name, version: hashBytes(any.value), any, resource });
}

const SHARED = new WeakMap<object, { readonly typeUrl: string; readonly cached: CachedResource }>();

/**
 * `toCached` for a resource that many snapshots share and nobody mutates: it
 * is packed and hashed once, then the same CachedResource is returned for the
 * same object.
 */
export function sharedCached(typeUrl: string, given: SnapshotResource, where: string): CachedResource {
  const known = SHARED.get(given);
  if (known && known.typeUrl === typeUrl) return known.cached;
  const cached = toCached(typeUrl, given, where);
  SHARED.set(given, { typeUrl, cached });
  return cached;
}

/** Entries of the content cache of `contentCached` (least recently used dropped first). */
const CONTENT_CAPACITY = 20_000;
const BY_CONTENT = new Map<string, CachedResource>();

/**
 * `toCached` for a plain resource made afresh for each snapshot although its
 * content often repeats (a proxy's own listeners, say): packed once per
 * distinct content (keyed by type URL and JSON text), the packing reused for
 * equal content.
 */
export function contentCached(typeUrl: string, given: SnapshotResource, where: string): CachedResource {
  if (isPacked(given)) return toCached(typeUrl, given, where);
  const key = `${typeUrl}\n${JSON.stringify(given)}`;
  let cached = BY_CONTENT.get(key);
  if (cached) {
    BY_CONTENT.delete(key);
  } else {
    cached = toCached(typeUrl, given, where);
    if (BY_CONTENT.size >= CONTENT_CAPACITY) {
      const oldest = BY_CONTENT.keys().next();
      if (!oldest.done) BY_CONTENT.delete(oldest.value);
    }
  }
  BY_CONTENT.set(key, cached);
  return cached;
}
