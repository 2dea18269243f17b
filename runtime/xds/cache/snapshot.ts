/**
 * An immutable set of resources for one proxy, by type URL, each type with a
 * version. Resources are packed once, when the snapshot is made; every stream
 * that serves the snapshot reuses the same encoded bytes.
 */
import { AnyMessage, PlainMessage, packResource, unpackResource } from '../protos';
import { resourceName } from '../resource-types';
import { hashBytes, hashVersions } from './resource-version';
import type { CachedResource } from './watch';

/** A resource given to a snapshot: a plain object, or an already packed Any. */
export type SnapshotResource = PlainMessage | AnyMessage;

export interface SnapshotProps {
  /**
   * Resources by type URL (see `TypeUrl`), as plain objects with proto field
   * names, or already packed. Types not listed hold no resources.
   */
  readonly resources: Readonly<Partial<Record<string, readonly SnapshotResource[]>>>;
  /**
   * Version of every type in the snapshot.
   * @default per type, a hash of the type's resources, so a new snapshot changes
   * the version only of the types whose resources changed
   */
  readonly version?: string;
}

/** Version of a type that holds no resources (a hash of nothing). */
export const EMPTY_TYPE_VERSION = hashVersions([]);

const NO_RESOURCES: ReadonlyMap<string, CachedResource> = new Map();

function isPacked(resource: SnapshotResource): resource is AnyMessage {
  return typeof resource.type_url === 'string' && resource.value instanceof Uint8Array;
}

export class Snapshot {
  /**
   * Packs the resources and computes their versions. Throws when a resource has
   * no name, two resources of a type share a name, a packed resource's type URL
   * differs from its key, or a resource does not encode (unknown fields).
   */
  public static create(props: SnapshotProps): Snapshot {
    const byType = new Map<string, ReadonlyMap<string, CachedResource>>();
    const versions = new Map<string, string>();
    for (const [typeUrl, list] of Object.entries(props.resources)) {
      if (!list || list.length === 0) continue;
      const resources = new Map<string, CachedResource>();
      list.forEach((given, index) => {
        const where = `snapshot resources[${typeUrl}][${index}]`;
        const cached = toCached(typeUrl, given, where);
        if (resources.has(cached.name)) {
          throw new Error(`${where}: duplicate resource name '${cached.name}'`);
        }
        resources.set(cached.name, cached);
      });
      byType.set(typeUrl, resources);
      versions.set(typeUrl, props.version ?? hashVersions([...resources.values()].map((r) => [r.name, r.version])));
    }
    return new Snapshot(byType, versions, props.version);
  }

  private constructor(
    private readonly byType: ReadonlyMap<string, ReadonlyMap<string, CachedResource>>,
    private readonly versions: ReadonlyMap<string, string>,
    private readonly explicitVersion: string | undefined,
  ) {}

  /** The version of `typeUrl`'s resources (also defined for types holding none). */
  public version(typeUrl: string): string {
    return this.versions.get(typeUrl) ?? this.explicitVersion ?? EMPTY_TYPE_VERSION;
  }

  /** The resources of `typeUrl` by name. */
  public resources(typeUrl: string): ReadonlyMap<string, CachedResource> {
    return this.byType.get(typeUrl) ?? NO_RESOURCES;
  }

  /** One resource, or `undefined`. */
  public resource(typeUrl: string, name: string): CachedResource | undefined {
    return this.byType.get(typeUrl)?.get(name);
  }

  /** Type URLs that hold at least one resource. */
  public typeUrls(): string[] {
    return [...this.byType.keys()];
  }
}

function toCached(typeUrl: string, given: SnapshotResource, where: string): CachedResource {
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
