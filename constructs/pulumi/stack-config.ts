import * as pulumi from '@pulumi/pulumi';

/** The Pulumi config namespace of meshform's settings (`meshform:<key>`): the project name. */
export const CONFIG_NAMESPACE = 'meshform';

/** The mTLS modes a stack can ask for, as in Istio's PeerAuthentication. */
export const MTLS_MODES = ['STRICT', 'PERMISSIVE', 'DISABLE'] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

/** The settings read from Pulumi config, without the `meshform:` prefix. */
export const STACK_CONFIG_KEYS = ['namespace', 'image', 'replicas', 'mtls', 'scenario'] as const;
export type StackConfigKey = (typeof STACK_CONFIG_KEYS)[number];

/** The namespace used when `meshform:namespace` is not set. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * A stack's settings, typed. An unset optional value means "the chart's own
 * documented default", so an empty stack config yields the same objects as
 * `cdk8s synth` with no context.
 */
export interface StackConfig<S extends string> {
  /** `meshform:scenario`. @default the `defaultScenario` given to {@link parseStackConfig} */
  readonly scenario: S;
  /** `meshform:namespace`: the namespace of the workloads. @default 'default' */
  readonly namespace: string;
  /** `meshform:image`: the mesh image (for bookinfo: control plane and proxies). @default - the chart's default image */
  readonly image?: string;
  /** `meshform:replicas`: a positive integer. @default - the chart's default */
  readonly replicas?: number;
  /** `meshform:mtls`: STRICT, PERMISSIVE or DISABLE. @default - the chart's default */
  readonly mtls?: MtlsMode;
}

export interface StackConfigOptions<S extends string> {
  /** The scenarios `meshform:scenario` may name. */
  readonly scenarios: readonly S[];
  /** The scenario used when `meshform:scenario` is not set; must be one of `scenarios`. */
  readonly defaultScenario: S;
}

/** Bad stack configuration; the message lists every problem found. */
export class StackConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid Pulumi stack configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'StackConfigError';
  }
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

function fullKey(key: string): string {
  return `${CONFIG_NAMESPACE}:${key}`;
}

function got(value: string): string {
  return `got ${JSON.stringify(value)}`;
}

/**
 * Parses meshform's settings out of a stack's config, as Pulumi hands it over
 * (keys `meshform:<key>`, values strings; keys of other namespaces, such as
 * `kubernetes:context`, are ignored). Pure: throws {@link StackConfigError}
 * naming each bad key, the allowed values and the value received.
 */
export function parseStackConfig<S extends string>(
  raw: Readonly<Record<string, string | undefined>>,
  options: StackConfigOptions<S>,
): StackConfig<S> {
  const problems: string[] = [];
  const known = new Set<string>(STACK_CONFIG_KEYS);
  for (const key of Object.keys(raw).sort()) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const short = key.slice(CONFIG_NAMESPACE.length + 1);
    if (!known.has(short)) {
      problems.push(`${key}: not a meshform setting (known keys: ${STACK_CONFIG_KEYS.map(fullKey).join(', ')})`);
    }
  }
  const value = (key: StackConfigKey): string | undefined => raw[fullKey(key)];

  let scenario = options.defaultScenario;
  const rawScenario = value('scenario');
  if (rawScenario !== undefined) {
    const match = options.scenarios.find((s) => s === rawScenario);
    if (match === undefined) problems.push(`${fullKey('scenario')}: must be one of ${options.scenarios.join(', ')} (${got(rawScenario)})`);
    else scenario = match;
  }

  let namespace = DEFAULT_NAMESPACE;
  const rawNamespace = value('namespace');
  if (rawNamespace !== undefined) {
    if (rawNamespace.length > 63 || !DNS_LABEL.test(rawNamespace)) {
      problems.push(`${fullKey('namespace')}: must be a DNS label (lower-case letters, digits and '-', starting with a letter, at most 63 characters) (${got(rawNamespace)})`);
    } else {
      namespace = rawNamespace;
    }
  }

  let image: string | undefined;
  const rawImage = value('image');
  if (rawImage !== undefined) {
    if (rawImage.trim() === '' || /\s/.test(rawImage)) problems.push(`${fullKey('image')}: must be a container image reference without spaces, such as "registry.example.com/meshform/meshform:dev" (${got(rawImage)})`);
    else image = rawImage;
  }

  let replicas: number | undefined;
  const rawReplicas = value('replicas');
  if (rawReplicas !== undefined) {
    const trimmed = rawReplicas.trim();
    if (!POSITIVE_INTEGER.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
      problems.push(`${fullKey('replicas')}: must be a positive integer (1, 2, 3, ...) (${got(rawReplicas)})`);
    } else {
      replicas = Number(trimmed);
    }
  }

  let mtls: MtlsMode | undefined;
  const rawMtls = value('mtls');
  if (rawMtls !== undefined) {
    const match = MTLS_MODES.find((m) => m === rawMtls);
    if (match === undefined) problems.push(`${fullKey('mtls')}: must be one of ${MTLS_MODES.join(', ')} (${got(rawMtls)})`);
    else mtls = match;
  }

  if (problems.length > 0) throw new StackConfigError(problems);
  return { scenario, namespace, image, replicas, mtls };
}

/** Reads and parses meshform's settings from the running Pulumi stack's config. */
export function readStackConfig<S extends string>(options: StackConfigOptions<S>): StackConfig<S> {
  return parseStackConfig(pulumi.runtime.allConfig(), options);
}
