import type { Condition as ConditionSpec } from '../api/authorization-policy';

/** Condition keys Istio supports, as patterns. */
const KEYS: readonly RegExp[] = [
  /^request\.headers\[[^\]]+\]$/,
  /^source\.ip$/, /^remote\.ip$/, /^source\.namespace$/, /^source\.principal$/,
  /^request\.auth\.principal$/, /^request\.auth\.audiences$/, /^request\.auth\.presenter$/,
  /^request\.auth\.claims\[[^\]]+\](\[[^\]]+\])*$/,
  /^destination\.ip$/, /^destination\.port$/, /^connection\.sni$/, /^experimental\.envoy\.filters\..+$/,
];

/** An extra condition on a request attribute (Istio's `Condition`). */
export class Condition {
  /** Header `name` has one of `values`. */
  public static header(name: string, values: readonly string[]): Condition {
    return new Condition(`request.headers[${name}]`, values, undefined);
  }

  /** JWT claim `claim` (nested: `['groups']`) has one of `values`. */
  public static jwtClaim(claim: string, values: readonly string[]): Condition {
    return new Condition(`request.auth.claims[${claim}]`, values, undefined);
  }

  /** The connection comes from one of these IPs or CIDRs. */
  public static sourceIp(values: readonly string[]): Condition {
    return new Condition('source.ip', values, undefined);
  }

  /** Any supported key, with values and/or notValues. */
  public static of(key: string, match: { readonly values?: readonly string[]; readonly notValues?: readonly string[] }): Condition {
    return new Condition(key, match.values, match.notValues);
  }

  private constructor(
    private readonly key: string,
    private readonly values: readonly string[] | undefined,
    private readonly notValues: readonly string[] | undefined,
  ) {}

  /** @internal Istio's `Condition`. */
  public _render(): ConditionSpec {
    const out: ConditionSpec = { key: this.key };
    if (this.values) out.values = [...this.values];
    if (this.notValues) out.notValues = [...this.notValues];
    return out;
  }

  /** @internal Problems, each starting with a field name. */
  public _validate(): string[] {
    const problems: string[] = [];
    if (!KEYS.some((k) => k.test(this.key))) {
      problems.push(`when.key must be a supported Istio attribute such as request.headers[<name>], source.ip, request.auth.claims[<claim>] (got ${JSON.stringify(this.key)})`);
    }
    if ((this.values?.length ?? 0) === 0 && (this.notValues?.length ?? 0) === 0) {
      problems.push(`when[${this.key}] needs values or notValues (got neither)`);
    }
    return problems;
  }
}
