import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { AuthorizationAction, AuthorizationPolicySpec } from '../api/authorization-policy';
import { AuthorizationPolicy } from '../istio';
import { AccessRule } from './access-rule';
import { PolicyScope } from './policy-scope';
import { compact } from '../traffic/private/checks';
import { pathOf } from '../traffic/private/emit';
import { defaultName } from './private/default-name';

/** Props of `AccessPolicy`. */
export interface AccessPolicyProps {
  /** Where the policy applies. */
  readonly scope: PolicyScope;
  /**
   * Rules; all must have the same action (ALLOW, DENY or AUDIT). More with `addRule`.
   * @default - none (see `AccessPolicy.denyAll`)
   */
  readonly rules?: readonly AccessRule[];
  /**
   * Name of the AuthorizationPolicy.
   * @default - the construct id, lower-cased
   */
  readonly name?: string;
}

/**
 * Access control (Istio's AuthorizationPolicy): who may do what on the workloads in
 * scope. Istio evaluates CUSTOM, then DENY, then ALLOW policies; when any ALLOW policy
 * applies to a workload, requests matching none of them are denied.
 *
 * @example
 * new AccessPolicy(chart, 'reviews-readers', {
 *   scope: PolicyScope.workload('default', { app: 'reviews' }),
 *   rules: [AccessRule.allow().from(Principal.serviceAccount('default', 'productpage')).to(Operation.methods('GET'))],
 * });
 */
export class AccessPolicy extends Construct {
  /**
   * Denies every request to the workloads in scope: an ALLOW policy without rules
   * (`spec: {}` plus the selector), which matches nothing.
   */
  public static denyAll(scope: Construct, id: string, props: { readonly scope: PolicyScope; readonly name?: string }): AccessPolicy {
    return new AccessPolicy(scope, id, { ...props, rules: [] });
  }

  /** Allows every request to the workloads in scope (an ALLOW policy with one empty rule). */
  public static allowAll(scope: Construct, id: string, props: { readonly scope: PolicyScope; readonly name?: string }): AccessPolicy {
    const p = new AccessPolicy(scope, id, props);
    p.allowEverything = true;
    return p;
  }

  private readonly props: AccessPolicyProps;
  private readonly rules: AccessRule[];
  private allowEverything = false;

  constructor(scope: Construct, id: string, props: AccessPolicyProps) {
    super(scope, id);
    this.props = props;
    this.rules = [...(props.rules ?? [])];
    new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      metadata: compact({ name: props.name ?? defaultName(this), namespace: props.scope.namespace }),
      spec: Lazy.any({ produce: () => this.render() }) as unknown as AuthorizationPolicySpec,
    });
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
  }

  /** Adds a rule (same action as the others). */
  public addRule(rule: AccessRule): this {
    this.rules.push(rule);
    return this;
  }

  /** The policy's action: that of its rules, ALLOW when it has none. */
  public get action(): AuthorizationAction {
    return this.rules[0]?.action ?? 'ALLOW';
  }

  private render(): AuthorizationPolicySpec {
    const action = this.action;
    return compact({
      selector: this.props.scope._selector(),
      action: action === 'ALLOW' ? undefined : action,
      rules: this.allowEverything ? [{}] : this.rules.length > 0 ? this.rules.map((r) => r._render()) : undefined,
    }) as AuthorizationPolicySpec;
  }

  private validateIntent(): string[] {
    const problems = [...this.props.scope._validate()];
    const actions = [...new Set(this.rules.map((r) => r.action))];
    if (actions.length > 1) {
      problems.push(`rules must all have the same action (got ${actions.join(' and ')}); use one AccessPolicy per action`);
    }
    if (this.allowEverything && this.rules.length > 0) {
      problems.push('allowAll() takes no rules (got some); it already allows every request');
    }
    this.rules.forEach((r, i) => problems.push(...r._validate().map((p) => `rules[${i}].${p}`)));
    return problems;
  }
}
