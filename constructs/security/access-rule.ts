import type { AuthorizationAction, Rule, Source as SourceSpec } from '../api/authorization-policy';
import { Condition } from './condition';
import { Operation } from './operation';
import { IRuleSource } from './rule-source';

/**
 * One authorization rule, read as a sentence:
 * `AccessRule.allow().from(Principal.serviceAccount('default', 'productpage')).to(Operation.methods('GET'))`.
 *
 * Each `from(...)` call is one source (its arguments AND'ed); several `from` calls are OR'ed.
 * The same holds for `to(...)`. All `when` conditions must hold.
 */
export class AccessRule {
  /** A rule of an ALLOW policy. */
  public static allow(): AccessRule {
    return new AccessRule('ALLOW', [], [], []);
  }

  /** A rule of a DENY policy (evaluated before ALLOW). */
  public static deny(): AccessRule {
    return new AccessRule('DENY', [], [], []);
  }

  /** A rule of an AUDIT policy (marks requests for audit logging). */
  public static audit(): AccessRule {
    return new AccessRule('AUDIT', [], [], []);
  }

  private constructor(
    /** The action of the policy this rule belongs to. */
    public readonly action: AuthorizationAction,
    private readonly sources: readonly (readonly IRuleSource[])[],
    private readonly operations: readonly (readonly Operation[])[],
    private readonly conditions: readonly Condition[],
  ) {}

  /** Requests from a source matching all of `sources` (OR'ed with other `from` calls). */
  public from(...sources: IRuleSource[]): AccessRule {
    return new AccessRule(this.action, [...this.sources, sources], this.operations, this.conditions);
  }

  /** Requests doing one of `operations` (each operation is one `to` entry). */
  public to(...operations: Operation[]): AccessRule {
    return new AccessRule(this.action, this.sources, [...this.operations, operations], this.conditions);
  }

  /** Requests that also meet all of `conditions`. */
  public when(...conditions: Condition[]): AccessRule {
    return new AccessRule(this.action, this.sources, this.operations, [...this.conditions, ...conditions]);
  }

  /** @internal Istio's `Rule`. */
  public _render(): Rule {
    const rule: Rule = {};
    if (this.sources.length > 0) {
      rule.from = this.sources.map((group) => ({ source: mergeSources(group) }));
    }
    const ops = this.operations.flat();
    if (ops.length > 0) {
      rule.to = ops.map((op) => ({ operation: op._render() }));
    }
    if (this.conditions.length > 0) {
      rule.when = this.conditions.map((c) => c._render());
    }
    return rule;
  }

  /** @internal Problems, each starting with a field name. */
  public _validate(): string[] {
    const problems: string[] = [];
    this.sources.forEach((group, i) => {
      if (group.length === 0) {
        problems.push(`from[${i}] needs at least one source (got none)`);
      }
      for (const s of group) {
        problems.push(...s._validate().map((p) => `from[${i}].source.${p}`));
      }
    });
    this.operations.flat().forEach((op, i) => problems.push(...op._validate().map((p) => `to[${i}].${p}`)));
    this.conditions.forEach((c, i) => problems.push(...c._validate().map((p) => `when[${i}]: ${p}`)));
    return problems;
  }
}

function mergeSources(group: readonly IRuleSource[]): SourceSpec {
  const out: Record<string, string[]> = {};
  for (const s of group) {
    for (const [k, v] of Object.entries(s._renderSource())) {
      out[k] = [...(out[k] ?? []), ...(v as string[])];
    }
  }
  return out as SourceSpec;
}
