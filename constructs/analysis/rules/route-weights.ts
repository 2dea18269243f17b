import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { asArray, asNumber, asRecord, asRecords, asString } from '../private/fields';
import { ROUTE_SECTIONS } from '../private/destinations';
import { AnalysisRule, findingOf } from '../rule';

/**
 * The weights of the destinations of one HTTP, TCP or TLS route must add up to 100.
 * A single destination without `weight` gets 100; with several, an unset weight
 * counts as 0 — so `v1=50, v3=40` leaves 10% of the traffic nowhere to go.
 */
export const routeWeightsRule: AnalysisRule = {
  id: 'MF0001',
  name: 'route-weights-not-100',
  description: 'The destination weights of a VirtualService route do not add up to 100.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const vs of context.virtualServices) {
      for (const section of ROUTE_SECTIONS) {
        asArray(vs.spec[section]).forEach((r, i) => {
          const destinations = asRecords(asRecord(r)?.route);
          if (destinations.length === 0) return;
          const weights = destinations.map((d) => asNumber(d.weight));
          const effective = destinations.length === 1 ? [weights[0] ?? 100] : weights.map((w) => w ?? 0);
          const sum = effective.reduce((a, b) => a + b, 0);
          if (sum === 100) return;
          const listed = destinations.map((d, j) => `${label(d)}=${weights[j] ?? 'unset'}`).join(', ');
          findings.push(findingOf(routeWeightsRule, 'error', vs, `spec.${section}[${i}].route`,
            `${vs.ref}: route weights must sum to 100, got ${sum} (${listed})`));
        });
      }
    }
    return findings;
  },
};

function label(routeDestination: Record<string, unknown>): string {
  const destination = asRecord(routeDestination.destination);
  const host = asString(destination?.host) ?? '?';
  const subset = asString(destination?.subset);
  return subset ? `${host}/${subset}` : host;
}
