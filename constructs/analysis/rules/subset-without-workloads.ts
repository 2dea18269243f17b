import { AnalysisContext, NETWORKING_GROUP } from '../context';
import { Finding } from '../finding';
import { ManifestObject } from '../manifest-object';
import { asArray, asRecord, asRecords, asString, asStringMap, formatLabels, labelsMatch } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/**
 * A DestinationRule subset's labels match no workload behind its host: traffic
 * routed to the subset finds no endpoints (503 UH). A warning: the workloads may
 * be deployed separately. Hosts of Services are checked against the pods the
 * Service selects; hosts of ServiceEntries against their endpoints, the
 * WorkloadEntries and pods their `workloadSelector` picks. Skipped when the
 * manifests declare no workloads at all (routing config analyzed on its own).
 */
export const subsetWithoutWorkloadsRule: AnalysisRule = {
  id: 'IST0127',
  name: 'subset-without-workloads',
  description: 'A DestinationRule subset selects labels that no workload behind the host carries.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    const workloadEntries = context.ofKind(NETWORKING_GROUP, 'WorkloadEntry');
    if (context.workloads.length === 0 && workloadEntries.length === 0) return findings;
    for (const dr of context.destinationRules) {
      const host = asString(dr.spec.host);
      if (!host || host.includes('*')) continue;
      const fqdn = context.resolveHost(host, dr.namespace);
      const behind = labelSetsBehind(context, fqdn, workloadEntries);
      if (!behind) continue;
      asArray(dr.spec.subsets).forEach((s, index) => {
        const subset = asRecord(s);
        const labels = asStringMap(subset?.labels);
        if (!subset || Object.keys(labels).length === 0) return;
        if (behind.some((set) => labelsMatch(labels, set))) return;
        const got = behind.length === 0 ? 'no workload at all' : `only ${behind.map(formatLabels).join(', ')}`;
        findings.push(findingOf(subsetWithoutWorkloadsRule, 'warning', dr, `spec.subsets[${index}].labels`,
          `${dr.ref}: subset "${asString(subset.name) ?? index}" selects ${formatLabels(labels)}, which matches no workload `
          + `behind ${fqdn} (found ${got})`));
      });
    }
    return findings;
  },
};

/**
 * Label sets of the workloads serving `fqdn`, or undefined when the host is not
 * known or its workloads cannot be told (a Service without selector, a DNS ServiceEntry).
 */
function labelSetsBehind(
  context: AnalysisContext,
  fqdn: string,
  workloadEntries: readonly ManifestObject[],
): ReadonlyArray<Readonly<Record<string, string>>> | undefined {
  const service = context.serviceByFqdn(fqdn);
  if (service) {
    const selector = asStringMap(service.spec.selector);
    if (Object.keys(selector).length === 0) return undefined;
    return context.workloadsSelected(service.namespace, selector).map((w) => w.podLabels);
  }
  const entries = context.serviceEntriesFor(fqdn);
  if (entries.length === 0) return undefined;
  const sets: Readonly<Record<string, string>>[] = [];
  let knowable = false;
  for (const se of entries) {
    const endpoints = asRecords(se.spec.endpoints);
    if (endpoints.length > 0) knowable = true;
    sets.push(...endpoints.map((e) => asStringMap(e.labels)));
    const selector = asStringMap(asRecord(se.spec.workloadSelector)?.labels);
    if (Object.keys(selector).length === 0) continue;
    knowable = true;
    sets.push(...workloadEntries
      .filter((we) => we.namespace === se.namespace)
      .map((we) => ({ ...we.labels, ...asStringMap(we.spec.labels) }))
      .filter((labels) => labelsMatch(selector, labels)));
    sets.push(...context.workloadsSelected(se.namespace, selector).map((w) => w.podLabels));
  }
  return knowable ? sets : undefined;
}
