import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { destinationsOf } from '../private/destinations';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A VirtualService destination host is neither a Service nor a ServiceEntry host
 * (wildcard ServiceEntry hosts count): the mesh has no endpoints for it.
 */
export const destinationHostNotFoundRule: AnalysisRule = {
  id: 'IST0101',
  name: 'destination-host-not-found',
  description: 'A VirtualService routes to a host that is neither a Service nor a ServiceEntry host.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const vs of context.virtualServices) {
      for (const destination of destinationsOf(vs)) {
        if (destination.host.includes('*')) continue;
        const fqdn = context.resolveHost(destination.host, vs.namespace);
        if (context.hostIsKnown(fqdn)) continue;
        const resolved = fqdn === destination.host ? '' : ` (${fqdn})`;
        findings.push(findingOf(destinationHostNotFoundRule, 'error', vs, `${destination.field}.host`,
          `${vs.ref}: destination host "${destination.host}"${resolved} is neither a Service nor a ServiceEntry host`));
      }
    }
    return findings;
  },
};
