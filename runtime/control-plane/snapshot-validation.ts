/**
 * The check every snapshot passes before it is published: the per-type xDS
 * validators of `runtime/xds/resources/` (the same ones the proxy runs before it
 * ACKs). A snapshot that fails is not published; the proxy keeps its last good one.
 * Resources shared by many snapshots (a `ResourceSet`) are checked once.
 */
import type { ResourceSet } from '../xds/cache/resource-set';
import type { Snapshot } from '../xds/cache/snapshot';
import type { CachedResource } from '../xds/cache/watch';
import { validateResources, validateSnapshotResources } from '../xds/resources';

export type SnapshotValidation = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

/** Checks a snapshot before it is set in the cache. */
export type SnapshotValidator = (snapshot: Snapshot) => SnapshotValidation;

const SHARED_ERRORS = new WeakMap<ResourceSet, boolean>();

function sharedSetValid(set: ResourceSet): boolean {
  let valid = SHARED_ERRORS.get(set);
  if (valid === undefined) {
    valid = [...set.resources.values()].every((r) => resourceValid(set.typeUrl, r));
    SHARED_ERRORS.set(set, valid);
  }
  return valid;
}

const RESOURCE_VALID = new WeakMap<CachedResource, boolean>();

function resourceValid(typeUrl: string, r: CachedResource): boolean {
  let valid = RESOURCE_VALID.get(r);
  if (valid === undefined) RESOURCE_VALID.set(r, (valid = validateResources(typeUrl, [r.resource]).length === 0));
  return valid;
}

/** Whether every resource decodes, shared sets and repeated resources checked once each; false means "check in full". */
function layersValid(snapshot: Snapshot): boolean {
  for (const typeUrl of snapshot.typeUrls()) {
    const { shared, own } = snapshot.layers(typeUrl);
    if (shared && !sharedSetValid(shared)) return false;
    for (const r of own.values()) if (!resourceValid(typeUrl, r)) return false;
  }
  return true;
}

/** Runs the per-type decoders over every resource of the snapshot. */
export const VALIDATE_RESOURCES: SnapshotValidator = (snapshot) => {
  if (layersValid(snapshot)) return { ok: true };
  const errors = validateSnapshotResources(snapshot);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
};
