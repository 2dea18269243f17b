/**
 * Validates synthesized manifests with schemas meshform did not write:
 * core Kubernetes kinds with `kubernetes-models` (generated from the Kubernetes
 * OpenAPI), Istio kinds with `@kubernetes-models/istio` (generated from Istio's CRDs).
 *
 * Istio kinds are checked with the v1beta1 classes (their schemas equal v1): the
 * manifest is copied with `apiVersion` set to `<group>/v1beta1` before validating.
 *
 * @example
 * expectIndependentlyValid(Testing.synth(chart));
 */

/** A manifest as synthesized: at least apiVersion, kind and metadata.name. */
interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

interface ModelClass {
  new (data: object): { validate(): void };
}

const ISTIO_GROUPS = ['networking.istio.io', 'security.istio.io'];

function isManifest(x: unknown): x is Manifest {
  return typeof x === 'object' && x !== null
    && typeof (x as Manifest).apiVersion === 'string' && typeof (x as Manifest).kind === 'string';
}

/** The module path of the model class for a manifest, and the apiVersion to validate it as. */
function modelFor(m: Manifest): { modulePath: string; apiVersion: string } {
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  if (ISTIO_GROUPS.includes(group)) {
    return { modulePath: `@kubernetes-models/istio/${group}/v1beta1/${m.kind}`, apiVersion: `${group}/v1beta1` };
  }
  const prefix = group === '' ? version : `${group}/${version}`;
  return { modulePath: `kubernetes-models/${prefix}/${m.kind}`, apiVersion: m.apiVersion };
}

function loadModel(modulePath: string, kind: string): ModelClass | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as Record<string, ModelClass | undefined>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

/**
 * Validates every manifest independently. Returns one message per invalid (or
 * unknown) manifest, `<apiVersion> <kind> <namespace>/<name>: <error>`; empty if all pass.
 */
export function independentlyValidate(manifests: readonly unknown[]): string[] {
  const errors: string[] = [];
  manifests.forEach((raw, i) => {
    if (!isManifest(raw)) {
      errors.push(`manifest[${i}]: not a Kubernetes object (no apiVersion/kind)`);
      return;
    }
    const id = `${raw.apiVersion} ${raw.kind} ${raw.metadata?.namespace ?? ''}/${raw.metadata?.name ?? '?'}`;
    const { modulePath, apiVersion } = modelFor(raw);
    const Model = loadModel(modulePath, raw.kind);
    if (!Model) {
      errors.push(`${id}: no independent model (${modulePath})`);
      return;
    }
    try {
      new Model({ ...raw, apiVersion }).validate();
    } catch (e) {
      errors.push(`${id}: ${(e as Error).message}`);
    }
  });
  return errors;
}

/** Jest helper: fails with every independent-validation error at once. */
export function expectIndependentlyValid(manifests: readonly unknown[]): void {
  expect(independentlyValidate(manifests)).toEqual([]);
}
