/**
 * Resources of one type shared by the snapshots of many proxies (the outbound
 * clusters, load assignments and route configurations of every proxy with the
 * same visible config): packed, hashed and versioned once, held once, in name
 * order. A snapshot layers a proxy's own resources over it.
 */
import { createHash, Hash } from 'crypto';
import { sharedCached, SnapshotResource } from './cached-resource';
import { hashVersions } from './resource-version';
import type { CachedResource } from './watch';

const VERSION_LENGTH = 16;

/** The text `hashVersions` hashes for one entry. */
export function versionLine(name: string, version: string): string {
  return `${name}\0${version}\n`;
}

export class ResourceSet {
  private static readonly byList = new WeakMap<readonly SnapshotResource[], ResourceSet>();

  /**
   * The set of `list` (resources nobody mutates afterwards): one set per list
   * object, and one packed copy per resource object however many lists hold it.
   * Throws like `Snapshot.create` for a resource without a name, a duplicate
   * name or a resource that does not encode.
   */
  public static of(typeUrl: string, list: readonly SnapshotResource[]): ResourceSet {
    const known = ResourceSet.byList.get(list);
    if (known && known.typeUrl === typeUrl) return known;
    const set = new ResourceSet(typeUrl, list);
    ResourceSet.byList.set(list, set);
    return set;
  }

  /** By name, in name order. */
  public readonly resources: ReadonlyMap<string, CachedResource>;
  /** `hashVersions` of the set's resources. */
  public readonly version: string;
  /** Name of the first and last resource (name order). */
  public readonly first: string | undefined;
  public readonly last: string | undefined;
  private text: string | undefined;
  private hash: Hash | undefined;

  private constructor(public readonly typeUrl: string, list: readonly SnapshotResource[]) {
    const cached = list.map((given, i) => sharedCached(typeUrl, given, `shared resources[${typeUrl}][${i}]`));
    cached.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const resources = new Map<string, CachedResource>();
    for (const r of cached) {
      if (resources.has(r.name)) throw new Error(`shared resources[${typeUrl}]: duplicate resource name '${r.name}'`);
      resources.set(r.name, r);
    }
    this.resources = resources;
    this.first = cached[0]?.name;
    this.last = cached[cached.length - 1]?.name;
    this.version = hashVersions(cached.map((r) => [r.name, r.version] as const));
  }

  public get size(): number {
    return this.resources.size;
  }

  /** The `hashVersions` text of the whole set. */
  public versionText(): string {
    if (this.text === undefined) {
      let text = '';
      for (const r of this.resources.values()) text += versionLine(r.name, r.version);
      this.text = text;
    }
    return this.text;
  }

  /** A fresh hash that has consumed `versionText()` (to hash entries sorting after the set). */
  public hashAfter(): Hash {
    if (!this.hash) this.hash = createHash('sha256').update(this.versionText());
    return this.hash.copy();
  }
}

/** `hashVersions` of `set` plus `own` entries (sorted by name, none in `set`), without re-sorting the set when avoidable. */
export function layeredVersion(set: ResourceSet, own: readonly CachedResource[]): string {
  if (own.length === 0) return set.version;
  const ownText = own.map((r) => versionLine(r.name, r.version)).join('');
  const firstOwn = (own[0] as CachedResource).name;
  const lastOwn = (own[own.length - 1] as CachedResource).name;
  if (set.last === undefined || firstOwn > set.last) return set.hashAfter().update(ownText).digest('hex').slice(0, VERSION_LENGTH);
  if (set.first === undefined || lastOwn < set.first) {
    return createHash('sha256').update(ownText).update(set.versionText()).digest('hex').slice(0, VERSION_LENGTH);
  }
  return hashVersions([...set.resources.values(), ...own].map((r) => [r.name, r.version] as const));
}
