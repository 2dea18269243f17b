import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { ManifestObject } from '../manifest-object';
import { ROUTE_SECTIONS } from '../private/destinations';
import { asRecords, canonicalJson } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * Two VirtualServices bound to the same gateway and host have overlapping matches
 * (the same match, or a catch-all route in either). Istio merges them on the
 * gateway in an order the user does not control, so which one answers a request
 * is left to chance.
 */
export const overlappingGatewayRoutesRule: AnalysisRule = {
  id: 'MF0002',
  name: 'overlapping-gateway-routes',
  description: 'Two VirtualServices on the same gateway and host have overlapping route matches.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    const groups = new Map<string, ManifestObject[]>();
    for (const vs of context.virtualServices) {
      for (const gateway of context.gatewaysOf(vs)) {
        if (gateway === 'mesh') continue;
        for (const { host } of context.hostsOf(vs)) {
          const key = `${gateway} ${host}`;
          const group = groups.get(key) ?? [];
          if (!group.includes(vs)) group.push(vs);
          groups.set(key, group);
        }
      }
    }
    const reported = new Set<string>();
    for (const [key, group] of groups) {
      const [gateway, host] = key.split(' ');
      for (let j = 1; j < group.length; j++) {
        for (let i = 0; i < j; i++) {
          const [a, b] = [group[i], group[j]];
          for (const section of ROUTE_SECTIONS) {
            const overlap = overlapOf(matchesOf(a, section), matchesOf(b, section));
            const pair = `${a.source} ${b.source} ${section}`;
            if (!overlap || reported.has(pair)) continue;
            reported.add(pair);
            findings.push(findingOf(overlappingGatewayRoutesRule, 'error', b, `spec.${section}[${overlap.routeIndex}].match`,
              `${b.ref}: host ${host} on gateway ${gateway} is also routed by VirtualService ${a.namespace}/${a.name} `
              + `and their ${section} matches overlap (${overlap.why}); merged VirtualServices have no defined order, `
              + 'so traffic would split at random between them — make the matches disjoint or merge the VirtualServices'));
          }
        }
      }
    }
    return findings;
  },
};

interface SectionMatches {
  readonly hasRoutes: boolean;
  /** Index of the first route that matches everything, if any. */
  readonly catchAll?: number;
  /** Canonical match text → index of the route holding it. */
  readonly matches: ReadonlyMap<string, number>;
}

/** A match that selects every request: `{}` or a `/` URI prefix only. */
const CATCH_ALL = new Set(['{}', canonicalJson({ uri: { prefix: '/' } })]);

function matchesOf(vs: ManifestObject, section: string): SectionMatches {
  const routes = asRecords(vs.spec[section]);
  let catchAll: number | undefined;
  const matches = new Map<string, number>();
  routes.forEach((route, index) => {
    const list = asRecords(route.match);
    if (list.length === 0 && catchAll === undefined) catchAll = index;
    for (const m of list) {
      const { name: _ignored, ...rest } = m;
      const text = canonicalJson(rest);
      if (CATCH_ALL.has(text) && catchAll === undefined) catchAll = index;
      if (!matches.has(text)) matches.set(text, index);
    }
  });
  return { hasRoutes: routes.length > 0, catchAll, matches };
}

function overlapOf(a: SectionMatches, b: SectionMatches): { routeIndex: number; why: string } | undefined {
  if (!a.hasRoutes || !b.hasRoutes) return undefined;
  for (const [text, index] of b.matches) {
    if (a.matches.has(text)) return { routeIndex: index, why: `both match ${text}` };
  }
  if (a.catchAll !== undefined && b.catchAll !== undefined) return { routeIndex: b.catchAll, why: 'both have a catch-all route' };
  if (b.catchAll !== undefined) return { routeIndex: b.catchAll, why: 'this one has a catch-all route' };
  if (a.catchAll !== undefined) return { routeIndex: 0, why: 'the other has a catch-all route' };
  return undefined;
}
