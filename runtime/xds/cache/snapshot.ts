/**
 * An immutable set of resources for one proxy, by type URL, each type with a
 * version. Resources are packed once, when the snapshot is made; every stream
 * that serves the snapshot reuses the same encoded bytes.
 *
 * A type may be given in two layers: resources shared with other proxies (a
 * {@link ResourceSet}, packed and versioned once for all of them) and the
 * proxy's own. The snapshot then holds only its own resources and a reference
 * to the shared set; it reads as one map in name order, and its version is the
 * one the same resources given as one list would have.
 */
import { contentCached, SnapshotResource, toCached } from './cached-resource';
import { layeredVersion, ResourceSet } from './resource-set';
import { hashVersions } from './resource-version';
import type { CachedResource } from './watch';

export type { SnapshotResource } from './cached-resource';

/** A type's resources in two layers: shared by many snapshots (one array object for all), and the proxy's own. */
export interface LayeredResources {
  /** Resources nobody mutates, the same array object in every snapshot that shares them. */
  readonly shared: readonly SnapshotResource[];
  /** The proxy's own resources; none may share a name with a shared one. */
  readonly own: readonly SnapshotResource[];
}

export interface SnapshotProps {
  /**
   * Resources by type URL (see `TypeUrl`), as plain objects with proto field
   * names, or already packed; or in layers (see {@link LayeredResources}), which
   * then read in name order. Types not listed hold no resources.
   */
  readonly resources: Readonly<Partial<Record<string, readonly SnapshotResource[] | LayeredResources>>>;
  /**
   * Version of every type in the snapshot.
   * @default per type, a hash of the type's resources, so a new snapshot changes
   * the version only of the types whose resources changed
   */
  readonly version?: string;
  /**
   * The proxy's previous snapshot: a layered type whose shared set and own
   * resources are unchanged is taken over from it as is (no re-hashing).
   * @default none
   */
  readonly previous?: Snapshot;
}

/** The layers of one type of a snapshot. */
export interface SnapshotLayers {
  readonly shared?: ResourceSet;
  /** Resources of the proxy only (all of them when nothing is shared). */
  readonly own: ReadonlyMap<string, CachedResource>;
}

/** Version of a type that holds no resources (a hash of nothing). */
export const EMPTY_TYPE_VERSION = hashVersions([]);

const NO_RESOURCES: ReadonlyMap<string, CachedResource> = new Map();
const NO_LAYERS: SnapshotLayers = Object.freeze({ own: NO_RESOURCES });

interface TypeEntry {
  readonly map: ReadonlyMap<string, CachedResource>;
  readonly version: string;
  readonly shared?: ResourceSet;
  readonly own: ReadonlyMap<string, CachedResource>;
}

function isLayered(given: readonly SnapshotResource[] | LayeredResources): given is LayeredResources {
  return !Array.isArray(given);
}

export class Snapshot {
  /**
   * Packs the resources and computes their versions. Throws when a resource has
   * no name, two resources of a type share a name, a packed resource's type URL
   * differs from its key, or a resource does not encode (unknown fields).
   */
  public static create(props: SnapshotProps): Snapshot {
    const byType = new Map<string, TypeEntry>();
    for (const [typeUrl, given] of Object.entries(props.resources)) {
      if (!given) continue;
      const entry = isLayered(given)
        ? layeredEntry(typeUrl, given, props.version, props.previous?.byType.get(typeUrl))
        : listEntry(typeUrl, given, props.version);
      if (entry) byType.set(typeUrl, entry);
    }
    return new Snapshot(byType, props.version);
  }

  private constructor(
    private readonly byType: ReadonlyMap<string, TypeEntry>,
    private readonly explicitVersion: string | undefined,
  ) {}

  /**
   * This snapshot with the resources of the types in `resources` replaced (the
   * other types, their resources and versions, are kept as they are).
   */
  public withTypes(resources: SnapshotProps['resources']): Snapshot {
    const replaced = Snapshot.create({ resources, previous: this, ...(this.explicitVersion !== undefined ? { version: this.explicitVersion } : {}) });
    const byType = new Map(this.byType);
    for (const typeUrl of Object.keys(resources)) {
      const entry = replaced.byType.get(typeUrl);
      if (entry) byType.set(typeUrl, entry);
      else byType.delete(typeUrl);
    }
    return new Snapshot(byType, this.explicitVersion);
  }

  /** The version of `typeUrl`'s resources (also defined for types holding none). */
  public version(typeUrl: string): string {
    return this.byType.get(typeUrl)?.version ?? this.explicitVersion ?? EMPTY_TYPE_VERSION;
  }

  /** The resources of `typeUrl` by name. */
  public resources(typeUrl: string): ReadonlyMap<string, CachedResource> {
    return this.byType.get(typeUrl)?.map ?? NO_RESOURCES;
  }

  /** The resources of `typeUrl` as given: the shared set, if any, and the proxy's own. */
  public layers(typeUrl: string): SnapshotLayers {
    // The entry itself (no copy): many streams ask on every push.
    return this.byType.get(typeUrl) ?? NO_LAYERS;
  }

  /** One resource, or `undefined`. */
  public resource(typeUrl: string, name: string): CachedResource | undefined {
    return this.byType.get(typeUrl)?.map.get(name);
  }

  /** Type URLs that hold at least one resource. */
  public typeUrls(): string[] {
    return [...this.byType.keys()];
  }
}

function listEntry(typeUrl: string, list: readonly SnapshotResource[], explicitVersion: string | undefined): TypeEntry | undefined {
  if (list.length === 0) return undefined;
  const resources = new Map<string, CachedResource>();
  list.forEach((given, index) => {
    const where = `snapshot resources[${typeUrl}][${index}]`;
    const cached = toCached(typeUrl, given, where);
    if (resources.has(cached.name)) {
      throw new Error(`${where}: duplicate resource name '${cached.name}'`);
    }
    resources.set(cached.name, cached);
  });
  const version = explicitVersion ?? hashVersions([...resources.values()].map((r) => [r.name, r.version]));
  return { map: resources, version, own: resources };
}

function layeredEntry(typeUrl: string, given: LayeredResources, explicitVersion: string | undefined, previous: TypeEntry | undefined): TypeEntry | undefined {
  const shared = ResourceSet.of(typeUrl, given.shared);
  const own: CachedResource[] = given.own.map((r, index) => contentCached(typeUrl, r, `snapshot resources[${typeUrl}].own[${index}]`));
  own.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ownMap = new Map<string, CachedResource>();
  for (const r of own) {
    if (ownMap.has(r.name) || shared.resources.has(r.name)) {
      throw new Error(`snapshot resources[${typeUrl}]: duplicate resource name '${r.name}'`);
    }
    ownMap.set(r.name, r);
  }
  if (shared.size === 0 && own.length === 0) return undefined;
  if (previous?.shared && previous.shared.version === shared.version && sameResources(previous.own, own) && explicitVersion === undefined) {
    return previous;
  }
  const version = explicitVersion ?? layeredVersion(shared, own);
  return { map: new LayeredMap(shared.resources, ownMap), version, shared, own: ownMap };
}

function sameResources(a: ReadonlyMap<string, CachedResource>, b: readonly CachedResource[]): boolean {
  if (a.size !== b.length) return false;
  return b.every((r) => a.get(r.name)?.version === r.version);
}

/** A shared map and a small own map read as one, in name order (both are in name order). */
class LayeredMap implements ReadonlyMap<string, CachedResource> {
  public constructor(private readonly base: ReadonlyMap<string, CachedResource>, private readonly own: ReadonlyMap<string, CachedResource>) {}

  public get size(): number {
    return this.base.size + this.own.size;
  }

  public get(name: string): CachedResource | undefined {
    return this.own.get(name) ?? this.base.get(name);
  }

  public has(name: string): boolean {
    return this.own.has(name) || this.base.has(name);
  }

  public forEach(callback: (value: CachedResource, key: string, map: ReadonlyMap<string, CachedResource>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  public *entries(): MapIterator<[string, CachedResource]> {
    if (this.own.size === 0) {
      yield* this.base.entries();
      return;
    }
    const mine = [...this.own.entries()];
    let i = 0;
    for (const entry of this.base.entries()) {
      while (i < mine.length && (mine[i] as [string, CachedResource])[0] < entry[0]) yield mine[i++] as [string, CachedResource];
      yield entry;
    }
    while (i < mine.length) yield mine[i++] as [string, CachedResource];
  }

  public *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  public *values(): MapIterator<CachedResource> {
    for (const [, v] of this.entries()) yield v;
  }

  public [Symbol.iterator](): MapIterator<[string, CachedResource]> {
    return this.entries();
  }
}
