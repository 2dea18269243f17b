/**
 * What a delta (incremental xDS) client holds of one type, in a form that
 * thousands of streams holding the same versions share.
 *
 * After a delta response answering subscription `scope` from a snapshot, the
 * client holds exactly that snapshot's resources of the type within `scope`:
 * the resources sent, those it already held at the same version, and none of
 * the names removed. So the state is a reference to the snapshot's layers of
 * the type (a shared {@link ResourceSet}, the same object for every proxy with
 * the same config, and the proxy's own few resources) plus a small overlay of
 * exceptions: names whose held version differs from that basis (versions a
 * client announced on reconnecting, a rejected response, an unsubscribed name
 * — held by nobody — and so on). Values are immutable; every change makes a new one.
 */
import { namespaceOf } from '../resource-types';
import type { ResourceSet } from './resource-set';
import type { CachedResource, Subscription } from './watch';

/** The resources of one type of a snapshot, as a response answered them. */
export interface HeldBasis {
  readonly shared?: ResourceSet;
  /** The snapshot's own resources of the type (all of them when nothing is shared). */
  readonly own: ReadonlyMap<string, CachedResource>;
  /** The subscription answered: the client holds the basis resources it selects. */
  readonly scope: Subscription;
}

/** Whether `subscription` selects `name` (by name, by its namespace when names are namespaces, or as a wildcard). */
export function inScope(subscription: Subscription, name: string): boolean {
  if (subscription.wildcard || subscription.names.has(name)) return true;
  return subscription.namespaced === true && subscription.names.has(namespaceOf(name));
}

function isMap(value: ReadonlyMap<string, string> | Readonly<Record<string, string>>): value is ReadonlyMap<string, string> {
  return value instanceof Map || typeof (value as { entries?: unknown }).entries === 'function';
}

const NO_EXCEPTIONS: ReadonlyMap<string, string | undefined> = new Map();

export class HeldResources {
  /** A client holding nothing. */
  public static readonly NONE = new HeldResources(undefined, NO_EXCEPTIONS, undefined);

  /** A client holding the given versions (`initial_resource_versions`, or a plain map). */
  public static of(versions: ReadonlyMap<string, string> | Readonly<Record<string, string>>): HeldResources {
    const entries = isMap(versions) ? [...versions] : Object.entries(versions);
    if (entries.length === 0) return HeldResources.NONE;
    return new HeldResources(undefined, new Map(entries), undefined);
  }

  /** A client holding exactly what `basis` selects. */
  public static exactly(basis: HeldBasis): HeldResources {
    return new HeldResources(basis, NO_EXCEPTIONS, undefined);
  }

  private constructor(
    /** What the client was last sent in full, if anything. */
    public readonly basis: HeldBasis | undefined,
    /** Name → version held (`undefined`: not held), overriding the basis. */
    public readonly exceptions: ReadonlyMap<string, string | undefined>,
    /**
     * A type version the client rejected: while the snapshot is at this
     * version, nothing is sent (the same resources would be rejected again).
     */
    public readonly rejected: string | undefined,
  ) {}

  /** The version of `name` the client holds, or `undefined`. */
  public version(name: string): string | undefined {
    const exception = this.exceptions.get(name);
    if (exception !== undefined || this.exceptions.has(name)) return exception;
    const basis = this.basis;
    if (!basis || !inScope(basis.scope, name)) return undefined;
    return (basis.own.get(name) ?? basis.shared?.resources.get(name))?.version;
  }

  /** Every name held, with its version (walks the whole basis: for the rare full answers). */
  public *entries(): IterableIterator<[string, string]> {
    for (const [name, version] of this.exceptions) if (version !== undefined) yield [name, version];
    const basis = this.basis;
    if (!basis) return;
    for (const r of basis.own.values()) {
      if (!this.exceptions.has(r.name) && inScope(basis.scope, r.name)) yield [r.name, r.version];
    }
    if (!basis.shared) return;
    for (const r of basis.shared.resources.values()) {
      if (!this.exceptions.has(r.name) && !basis.own.has(r.name) && inScope(basis.scope, r.name)) yield [r.name, r.version];
    }
  }

  /** Every name held (see `entries`). */
  public names(): string[] {
    return [...this.entries()].map(([name]) => name);
  }

  /**
   * The same with `changes` (name → version now held, `undefined` for not
   * held); the rejected version is kept only when `rejected` does not replace it.
   */
  public with(changes: Iterable<readonly [string, string | undefined]>, rejected: string | undefined = this.rejected): HeldResources {
    let exceptions: Map<string, string | undefined> | undefined;
    for (const [name, version] of changes) {
      if (this.exceptions.get(name) === version && this.exceptions.has(name)) continue;
      exceptions ??= new Map(this.exceptions);
      exceptions.set(name, version);
    }
    if (!exceptions && rejected === this.rejected) return this;
    return new HeldResources(this.basis, exceptions ?? this.exceptions, rejected);
  }

  /** The same, with no rejected version (something other than the snapshot version asks for an answer). */
  public withoutRejected(): HeldResources {
    return this.rejected === undefined ? this : new HeldResources(this.basis, this.exceptions, undefined);
  }
}
