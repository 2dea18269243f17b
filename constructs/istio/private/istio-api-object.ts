/**
 * The shared body of the L1 Istio constructs: an ApiObject whose `spec` is checked
 * against the kind's schema when the chart is synthesized.
 */
import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { KindName, validateSpec } from '../../api/validate';

/** Props of every L1 Istio construct. */
export interface IstioObjectProps<S> {
  /** Object metadata (name, namespace, labels, annotations). @default - a name derived from the construct path */
  readonly metadata?: ApiObjectMetadata;
  /** The resource spec, exactly Istio's JSON shape. May contain cdk8s `Lazy` values. */
  readonly spec: S;
}

/**
 * Base class of the L1 constructs. The spec is kept by reference and resolved at synth
 * time (so `Lazy` values and later mutations render), then validated: `app.synth()`
 * reports failures through construct validation, and `toJson()` (hence `Testing.synth`)
 * throws them.
 */
export abstract class IstioApiObject<S> extends ApiObject {
  /** The spec as given (it may contain lazy values that resolve at synth). */
  public readonly spec: S;
  private readonly specKind: KindName;

  protected constructor(scope: Construct, id: string, gvk: GroupVersionKind, specKind: KindName, props: IstioObjectProps<S>) {
    super(scope, id, { ...gvk, metadata: props.metadata, spec: props.spec });
    this.spec = props.spec;
    this.specKind = specKind;
    this.node.addValidation({ validate: () => this.specErrors(super.toJson()) });
  }

  /** Renders the manifest; throws if the resolved spec is invalid. */
  public override toJson(): any {
    const json = super.toJson();
    const errors = this.specErrors(json);
    if (errors.length > 0) {
      throw new Error(`invalid ${this.kind} ${this.name}:\n  ${errors.join('\n  ')}`);
    }
    return json;
  }

  private specErrors(json: { spec?: unknown }): string[] {
    const result = validateSpec(this.specKind, json.spec ?? {});
    return result.ok ? [] : result.errors.map((e) => `${this.node.path}: ${e}`);
  }
}
