import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { ManifestObject } from '../manifest-object';
import { asArray, asString } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * Two VirtualServices bound to the mesh (no `gateways`, or `mesh` among them)
 * define the same host and are visible to a common namespace. Istio merges
 * VirtualServices only on gateways; sidecars keep one of them and drop the other.
 */
export const conflictingMeshVirtualServiceHostsRule: AnalysisRule = {
  id: 'IST0109',
  name: 'conflicting-mesh-virtual-service-hosts',
  description: 'Two VirtualServices bound to the mesh define the same host.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    const seen = new Map<string, ManifestObject[]>();
    for (const vs of context.virtualServices) {
      if (!context.gatewaysOf(vs).includes('mesh')) continue;
      for (const { host, index } of context.hostsOf(vs)) {
        if (host === '*') continue;
        const earlier = (seen.get(host) ?? []).filter((other) => other !== vs && visibleTogether(other, vs));
        if (earlier.length > 0) {
          const others = earlier.map((o) => `VirtualService ${o.namespace}/${o.name}`).join(', ');
          findings.push(findingOf(conflictingMeshVirtualServiceHostsRule, 'error', vs, `spec.hosts[${index}]`,
            `${vs.ref}: host ${host} is also defined for the mesh by ${others}; sidecars do not merge VirtualServices `
            + '(only gateways do), so one of them would be ignored — merge them into one, or scope them apart with exportTo'));
        }
        seen.set(host, [...(seen.get(host) ?? []), vs]);
      }
    }
    return findings;
  },
};

/** True when some namespace sees both VirtualServices (per `exportTo`, default everywhere). */
function visibleTogether(a: ManifestObject, b: ManifestObject): boolean {
  const va = visibility(a);
  const vb = visibility(b);
  if (va.size === 0 || vb.size === 0) return false;
  if (va.has('*') || vb.has('*')) return true;
  return [...va].some((ns) => vb.has(ns));
}

function visibility(vs: ManifestObject): Set<string> {
  const exportTo = asArray(vs.spec.exportTo).flatMap((e) => asString(e) ?? []);
  if (exportTo.length === 0) return new Set(['*']);
  return new Set(exportTo.filter((e) => e !== '~').map((e) => (e === '.' ? vs.namespace : e)));
}
