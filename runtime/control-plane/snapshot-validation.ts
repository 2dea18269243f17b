/**
 * The check every snapshot passes before it is published: the per-type xDS
 * validators of `runtime/xds/resources/` (the same ones the proxy runs before it
 * ACKs). A snapshot that fails is not published; the proxy keeps its last good one.
 */
import type { Snapshot } from '../xds/cache/snapshot';
import { validateSnapshotResources } from '../xds/resources';

export type SnapshotValidation = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

/** Checks a snapshot before it is set in the cache. */
export type SnapshotValidator = (snapshot: Snapshot) => SnapshotValidation;

/** Runs the per-type decoders over every resource of the snapshot. */
export const VALIDATE_RESOURCES: SnapshotValidator = (snapshot) => {
  const errors = validateSnapshotResources(snapshot);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
};
