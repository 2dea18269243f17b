import type { AuthorizationPolicySpec } from '../../api/authorization-policy';
import { AuthorizationEvaluator } from '../../../runtime/security/authorization';
import { AnalysisContext, SECURITY_GROUP } from '../context';
import { Finding } from '../finding';
import { asArray, asRecord, asString, formatLabels } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

const PAIRS = [['paths', 'notPaths'], ['methods', 'notMethods'], ['hosts', 'notHosts'], ['ports', 'notPorts']] as const;

/**
 * AuthorizationPolicies (and parts of them) that can never match, in clear
 * cases only: a selector that picks no workload of the input (when the input
 * declares workloads at all), a `when` key Istio does not know or a value the
 * policy engine cannot read (checked with the proxy's own policy engine), and
 * an operation listing the same value in a field and its `not` field (paths
 * and notPaths, methods and notMethods, ...).
 */
export const authorizationPolicyNeverMatchesRule: AnalysisRule = {
  id: 'MF0006',
  name: 'authorization-policy-never-matches',
  description: 'An AuthorizationPolicy, or one of its rules, can never match a request.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    const anyWorkload = context.workloads.length > 0;
    for (const ap of context.ofKind(SECURITY_GROUP, 'AuthorizationPolicy')) {
      const selector = AnalysisContext.selectorOf(ap);
      if (selector && anyWorkload) {
        const picked = ap.namespace === context.rootNamespace
          ? [...context.namespaces].some((ns) => context.workloadsSelected(ns, selector).length > 0)
          : context.workloadsSelected(ap.namespace, selector).length > 0;
        if (!picked) {
          findings.push(findingOf(authorizationPolicyNeverMatchesRule, 'warning', ap, 'spec.selector',
            `${ap.ref}: selector ${formatLabels(selector)} matches no workload in namespace ${ap.namespace}; the policy applies to nothing`));
        }
      }
      asArray(ap.spec.rules).forEach((rule, i) => {
        asArray(asRecord(rule)?.to).forEach((to, j) => {
          const op = asRecord(asRecord(to)?.operation);
          if (!op) return;
          for (const [field, notField] of PAIRS) {
            const values = asArray(op[field]).map((v) => asString(v));
            const both = asArray(op[notField]).map((v) => asString(v)).filter((v) => v !== undefined && values.includes(v));
            if (both.length > 0) {
              findings.push(findingOf(authorizationPolicyNeverMatchesRule, 'warning', ap, `spec.rules[${i}].to[${j}].operation.${notField}`,
                `${ap.ref}: ${both.map((v) => `'${v}'`).join(', ')} is in both ${field} and ${notField}; this operation can never match it`));
            }
          }
        });
      });
      if (asString(ap.spec.action) === 'CUSTOM') continue;
      const compiled = AuthorizationEvaluator.compile([{ namespace: ap.namespace, name: ap.name, spec: ap.spec as unknown as AuthorizationPolicySpec }]);
      if (!compiled.ok) {
        for (const e of compiled.errors) {
          const m = /^AuthorizationPolicy [^:]+: ([^:]+): (.*)$/.exec(e);
          findings.push(findingOf(authorizationPolicyNeverMatchesRule, 'warning', ap, m?.[1] ?? 'spec.rules',
            `${ap.ref}: ${m?.[2] ?? e}; the rule can never match`));
        }
      }
    }
    return findings;
  },
};
