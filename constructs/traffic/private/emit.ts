import { Construct } from 'constructs';

/** The construct path shown in error messages (`bookinfo/reviews`). */
export function pathOf(c: Construct): string {
  return c.node.path;
}

/** A resource an intent emits only once it has something to say. */
export interface OptionalResource {
  /** Child construct id. */
  readonly id: string;
  /** Whether the resource is needed now. */
  readonly needed: () => boolean;
  /** Creates the resource under `scope` (its spec should render lazily). */
  readonly create: (scope: Construct, id: string) => void;
}

/**
 * Emits optional child resources the first time they are needed. Call the returned
 * function after every change; it also runs once more at synth (validation), to catch
 * needs that appear through inputs the intent does not own (a service gaining versions).
 */
export function optionalResources(scope: Construct, resources: readonly OptionalResource[]): () => void {
  const sync = (): void => {
    for (const r of resources) {
      if (scope.node.tryFindChild(r.id) === undefined && r.needed()) {
        r.create(scope, r.id);
      }
    }
  };
  scope.node.addValidation({
    validate: () => {
      sync();
      return [];
    },
  });
  sync();
  return sync;
}

/** A resource name from the construct id: lower-cased, other characters turned into '-'. */
export function defaultName(c: Construct): string {
  return c.node.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'default';
}
