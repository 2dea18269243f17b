import { AnalysisContext, SECURITY_GROUP } from '../context';
import { Finding } from '../finding';
import { ManifestObject } from '../manifest-object';
import { canonicalJson, formatLabels } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * PeerAuthentications that claim the same scope: two mesh-wide ones (no selector,
 * in the root namespace), two namespace-wide ones in one namespace, or two with
 * identical selectors in one namespace. Istio applies only the oldest, so which
 * mTLS mode wins depends on creation time.
 */
export const conflictingPeerAuthenticationsRule: AnalysisRule = {
  id: 'MF0005',
  name: 'conflicting-peer-authentications',
  description: 'Two PeerAuthentications apply to the same scope (mesh, namespace, or identical selector).',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    const scopes = new Map<string, ManifestObject>();
    for (const pa of context.ofKind(SECURITY_GROUP, 'PeerAuthentication')) {
      const selector = AnalysisContext.selectorOf(pa);
      const key = `${pa.namespace} ${selector ? canonicalJson(selector) : ''}`;
      const first = scopes.get(key);
      if (!first) {
        scopes.set(key, pa);
        continue;
      }
      const other = `PeerAuthentication ${first.namespace}/${first.name}`;
      let scope: string;
      if (selector) scope = `selects the same workloads ${formatLabels(selector)} in namespace ${pa.namespace} as ${other}`;
      else if (pa.namespace === context.rootNamespace) scope = `is a second mesh-wide policy (no selector, root namespace ${pa.namespace}) besides ${other}`;
      else scope = `is a second namespace-wide policy (no selector) in namespace ${pa.namespace} besides ${other}`;
      findings.push(findingOf(conflictingPeerAuthenticationsRule, 'error', pa, 'spec.selector',
        `${pa.ref}: ${scope}; Istio applies only the oldest of them — merge them into one`));
    }
    return findings;
  },
};
