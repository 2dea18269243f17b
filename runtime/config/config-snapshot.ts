/**
 * An immutable view of the whole configuration at one version, indexed by kind
 * and by namespace/name. The store makes a new snapshot for every change; a
 * snapshot never changes after it is made, so translation can cache per snapshot.
 */
import type { KindName, SpecByKind } from '../../constructs/api';
import { ConfigObject, configKey, keyOf } from './config-object';
import type { ConfigProblem } from './config-problem';

const NONE: readonly ConfigObject[] = Object.freeze([]);

export class ConfigSnapshot {
  /** A snapshot of `objects` (later duplicates of a key win). */
  public static of(objects: readonly ConfigObject[], version = 0, problems: readonly ConfigProblem[] = []): ConfigSnapshot {
    const byKey = new Map<string, ConfigObject>();
    for (const o of objects) byKey.set(keyOf(o), Object.freeze(o));
    return new ConfigSnapshot(byKey, version, problems);
  }

  /** The empty configuration. */
  public static readonly EMPTY = ConfigSnapshot.of([]);

  private readonly byKind = new Map<string, ConfigObject[]>();
  private readonly byKindNamespace = new Map<string, ConfigObject[]>();

  private constructor(
    private readonly byKey: ReadonlyMap<string, ConfigObject>,
    /** Increases with every change of the store. */
    public readonly version: number,
    /** What the sources refused when this snapshot was made. */
    public readonly problems: readonly ConfigProblem[],
  ) {
    const sorted = [...byKey.values()].sort((a, b) => compare(keyOf(a), keyOf(b)));
    for (const o of sorted) {
      push(this.byKind, o.kind, o);
      push(this.byKindNamespace, `${o.kind}/${o.namespace}`, o);
    }
    for (const list of this.byKind.values()) Object.freeze(list);
    for (const list of this.byKindNamespace.values()) Object.freeze(list);
    Object.freeze(this);
  }

  /** Every object of `kind`, ordered by namespace then name; in `namespace` only when given. */
  public list(kind: string, namespace?: string): readonly ConfigObject[] {
    if (namespace !== undefined) return this.byKindNamespace.get(`${kind}/${namespace}`) ?? NONE;
    return this.byKind.get(kind) ?? NONE;
  }

  /** One object, or `undefined`. */
  public get(kind: string, namespace: string, name: string): ConfigObject | undefined {
    return this.byKey.get(configKey(kind, namespace, name));
  }

  /** The Istio objects of `kind`, their spec typed. */
  public istio<K extends KindName>(kind: K, namespace?: string): readonly ConfigObject<SpecByKind[K]>[] {
    return this.list(kind, namespace) as readonly ConfigObject<SpecByKind[K]>[];
  }

  /** Every object, ordered by key. */
  public all(): ConfigObject[] {
    return [...this.byKind.values()].flat();
  }

  /** Kinds that hold at least one object. */
  public kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  /** Number of objects. */
  public get size(): number {
    return this.byKey.size;
  }

  /** The object stored under `key` (`Kind/ns/name`). */
  public byKeyOf(key: string): ConfigObject | undefined {
    return this.byKey.get(key);
  }

  /** Every key, sorted. */
  public keys(): string[] {
    return [...this.byKey.keys()].sort(compare);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
