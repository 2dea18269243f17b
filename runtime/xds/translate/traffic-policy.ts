/**
 * The traffic policy in force for one cluster, merged as Istio documents it:
 * the top-level policy with its portLevelSettings for the port; then a subset's
 * policy overrides it per field group (loadBalancer, connectionPool,
 * outlierDetection, tls); then the subset's portLevelSettings for the port
 * replace those groups outright (port-level settings do not inherit).
 */
import type { DestinationRuleSpec, TrafficPolicy } from '../../../constructs/api';

type Groups = Pick<TrafficPolicy, 'loadBalancer' | 'connectionPool' | 'outlierDetection' | 'tls'>;

const GROUPS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

function withPort(policy: TrafficPolicy | undefined, port: number | undefined): Groups | undefined {
  if (!policy) return undefined;
  const out: Groups = {};
  for (const g of GROUPS) if (policy[g] !== undefined) (out as Record<string, unknown>)[g] = policy[g];
  const level = port === undefined ? undefined : policy.portLevelSettings?.find((p) => p.port?.number === port);
  if (level) {
    const replaced: Groups = {};
    for (const g of GROUPS) if (level[g] !== undefined) (replaced as Record<string, unknown>)[g] = level[g];
    return replaced;
  }
  return out;
}

/** The policy for `port` of the rule's host, for `subset` when given; `undefined` when nothing applies. */
export function effectiveTrafficPolicy(rule: DestinationRuleSpec | undefined, subset: string | undefined, port: number | undefined): Groups | undefined {
  if (!rule) return undefined;
  const top = withPort(rule.trafficPolicy, port);
  const subsetPolicy = subset === undefined ? undefined : rule.subsets?.find((s) => s.name === subset)?.trafficPolicy;
  if (!subsetPolicy) return top;
  const merged: Groups = { ...(top ?? {}) };
  for (const g of GROUPS) if (subsetPolicy[g] !== undefined) (merged as Record<string, unknown>)[g] = subsetPolicy[g];
  const level = port === undefined ? undefined : subsetPolicy.portLevelSettings?.find((p) => p.port?.number === port);
  if (level) {
    for (const g of GROUPS) (merged as Record<string, unknown>)[g] = level[g];
    for (const g of GROUPS) if (merged[g] === undefined) delete merged[g];
  }
  return merged;
}
