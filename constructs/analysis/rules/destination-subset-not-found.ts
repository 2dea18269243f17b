import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { destinationsOf } from '../private/destinations';
import { asArray, asRecord, asString } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A VirtualService destination names a subset that no DestinationRule for that host
 * defines: Envoy has no such cluster, and requests fail with 503 (NR/UH).
 */
export const destinationSubsetNotFoundRule: AnalysisRule = {
  id: 'IST0101',
  name: 'destination-subset-not-found',
  description: 'A VirtualService routes to a subset that no DestinationRule defines for the host.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const vs of context.virtualServices) {
      for (const destination of destinationsOf(vs)) {
        if (!destination.subset) continue;
        const fqdn = context.resolveHost(destination.host, vs.namespace);
        const rules = context.destinationRulesFor(fqdn);
        const defined = rules.map((dr) => ({
          ref: `${dr.namespace}/${dr.name}`,
          subsets: asArray(dr.spec.subsets).flatMap((s) => asString(asRecord(s)?.name) ?? []),
        }));
        if (defined.some((d) => d.subsets.includes(destination.subset!))) continue;
        const got = defined.length === 0
          ? 'no DestinationRule has this host'
          : defined.map((d) => `DestinationRule ${d.ref} defines ${d.subsets.length ? d.subsets.map((s) => `"${s}"`).join(', ') : 'no subsets'}`).join('; ');
        findings.push(findingOf(destinationSubsetNotFoundRule, 'error', vs, `${destination.field}.subset`,
          `${vs.ref}: subset "${destination.subset}" of host ${fqdn} is not defined by any DestinationRule (${got})`));
      }
    }
    return findings;
  },
};
