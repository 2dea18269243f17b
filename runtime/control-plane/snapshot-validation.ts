/**
 * The seam where each snapshot is checked before it is published: the per-type
 * xDS validators (`validateSnapshotResources(snapshot)` of `runtime/xds/resources/`,
 * once that module provides it) plug in here. A snapshot that fails is not
 * published; the proxy keeps its last good one.
 */
import type { Snapshot } from '../xds/cache/snapshot';

export type SnapshotValidation = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

/** Checks a snapshot before it is set in the cache. */
export type SnapshotValidator = (snapshot: Snapshot) => SnapshotValidation;

/** Accepts every snapshot (the default until the per-type validators are wired in). */
export const ACCEPT_ALL_SNAPSHOTS: SnapshotValidator = () => ({ ok: true });
