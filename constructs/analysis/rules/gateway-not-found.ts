import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { asArray, asString } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A VirtualService is bound to a gateway (`name` or `namespace/name`) that is not
 * among the manifests. A warning: the gateway may be installed separately.
 */
export const gatewayNotFoundRule: AnalysisRule = {
  id: 'IST0101',
  name: 'gateway-not-found',
  description: 'A VirtualService is bound to a gateway that does not exist.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const vs of context.virtualServices) {
      asArray(vs.spec.gateways).forEach((g, index) => {
        const reference = asString(g);
        if (!reference || reference === 'mesh') return;
        const qualified = context.qualifyGateway(reference, vs.namespace);
        if (context.gatewayExists(qualified)) return;
        findings.push(findingOf(gatewayNotFoundRule, 'warning', vs, `spec.gateways[${index}]`,
          `${vs.ref}: gateway "${reference}" (${qualified}) is not defined; expected a Gateway named ${qualified}`));
      });
    }
    return findings;
  },
};
