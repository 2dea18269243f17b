import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { asArray } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A VirtualService bound to the mesh (no `gateways`) uses host `*`: Istio rejects
 * the catch-all host for sidecars, where it would capture every outbound request.
 */
export const wildcardHostWithoutGatewayRule: AnalysisRule = {
  id: 'MF0003',
  name: 'wildcard-host-without-gateway',
  description: 'A VirtualService bound to the mesh uses the host "*".',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const vs of context.virtualServices) {
      if (!context.gatewaysOf(vs).includes('mesh')) continue;
      asArray(vs.spec.hosts).forEach((host, index) => {
        if (host !== '*') return;
        findings.push(findingOf(wildcardHostWithoutGatewayRule, 'error', vs, `spec.hosts[${index}]`,
          `${vs.ref}: host "*" is only allowed on VirtualServices bound to a gateway, but this one is bound to the mesh `
          + `(spec.gateways is ${asArray(vs.spec.gateways).length ? 'listing "mesh"' : 'empty'}); name the hosts, or set spec.gateways`));
      });
    }
    return findings;
  },
};
