import { asRecord, asString, asStringMap } from './private/fields';

/**
 * A manifest as the rules see it: its identity (group, kind, namespace, name) read
 * once, with the raw object kept for the rule-specific fields.
 */
export class ManifestObject {
  /**
   * Reads `input` as a Kubernetes object, or returns undefined when it has no
   * `apiVersion`/`kind` (the rules have nothing to say about it).
   * @param defaultNamespace the namespace of objects that do not name one.
   */
  public static from(object: unknown, source: string, defaultNamespace: string): ManifestObject | undefined {
    const raw = asRecord(object);
    const apiVersion = asString(raw?.apiVersion);
    const kind = asString(raw?.kind);
    if (!raw || !apiVersion || !kind) return undefined;
    return new ManifestObject(raw, apiVersion, kind, source, defaultNamespace);
  }

  /** API group, `''` for the core group (`v1`). */
  public readonly group: string;
  /** `metadata.name`, `''` when missing. */
  public readonly name: string;
  /** `metadata.namespace`, or the default namespace when missing. */
  public readonly namespace: string;
  /** `metadata.labels`. */
  public readonly labels: Readonly<Record<string, string>>;
  /** `spec`, `{}` when missing. */
  public readonly spec: Readonly<Record<string, unknown>>;

  private constructor(
    /** The manifest as given. */
    public readonly raw: Readonly<Record<string, unknown>>,
    public readonly apiVersion: string,
    public readonly kind: string,
    /** Where the manifest came from (construct path or file position). */
    public readonly source: string,
    defaultNamespace: string,
  ) {
    const slash = apiVersion.indexOf('/');
    this.group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const metadata = asRecord(raw.metadata);
    this.name = asString(metadata?.name) ?? '';
    this.namespace = asString(metadata?.namespace) ?? defaultNamespace;
    this.labels = asStringMap(metadata?.labels);
    this.spec = asRecord(raw.spec) ?? {};
  }

  /** `VirtualService default/reviews`: how messages name the object. */
  public get ref(): string {
    return `${this.kind} ${this.namespace}/${this.name}`;
  }

  /** True when the object is `kind` of `group` (any version). */
  public is(group: string, kind: string): boolean {
    return this.group === group && this.kind === kind;
  }
}
