/**
 * The check the control plane runs before `setSnapshot`: every resource of a
 * snapshot must decode, so no proxy is sent something it would NACK.
 */
import type { Snapshot } from '../cache';
import type { PlainMessage } from '../protos';
import { resourceName, shortTypeName } from '../resource-types';
import { decodeResource } from './decode-resource';

/**
 * Errors of `resources` (all of type `typeUrl`), each as
 * `CDS 'name': field.path: message`; empty when all are valid.
 */
export function validateResources(typeUrl: string, resources: readonly PlainMessage[]): string[] {
  const errors: string[] = [];
  resources.forEach((resource, i) => {
    const result = decodeResource(typeUrl, resource);
    if (result.ok) return;
    const label = `${shortTypeName(typeUrl)} '${resourceName(typeUrl, resource) ?? `#${i}`}'`;
    for (const e of result.errors) errors.push(`${label}: ${e}`);
  });
  return errors;
}

/** Errors of every resource in `snapshot` (by type, in the snapshot's order); empty when it can be published. */
export function validateSnapshotResources(snapshot: Snapshot): string[] {
  return snapshot.typeUrls().flatMap((typeUrl) =>
    validateResources(typeUrl, [...snapshot.resources(typeUrl).values()].map((r) => r.resource)));
}
