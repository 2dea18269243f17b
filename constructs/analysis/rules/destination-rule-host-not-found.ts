import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { asString } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A DestinationRule's host is neither a Service nor a ServiceEntry host, so its
 * policies and subsets apply to nothing. A warning: the service may come later.
 */
export const destinationRuleHostNotFoundRule: AnalysisRule = {
  id: 'IST0101',
  name: 'destination-rule-host-not-found',
  description: 'A DestinationRule names a host with no Service or ServiceEntry.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const dr of context.destinationRules) {
      const host = asString(dr.spec.host);
      if (!host) continue;
      const fqdn = context.resolveHost(host, dr.namespace);
      if (context.hostIsKnown(fqdn)) continue;
      const resolved = fqdn === host ? '' : ` (${fqdn})`;
      findings.push(findingOf(destinationRuleHostNotFoundRule, 'warning', dr, 'spec.host',
        `${dr.ref}: host "${host}"${resolved} is neither a Service nor a ServiceEntry host, so the rule applies to nothing`));
    }
    return findings;
  },
};
