import { AnalysisContext } from '../context';
import { Finding } from '../finding';
import { formatLabels } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';

/** Labels Istio accepts for the workload's service name, in order of preference. */
const APP_LABELS = ['app', 'app.kubernetes.io/name', 'service.istio.io/canonical-name'];
/** Labels Istio accepts for the workload's version. */
const VERSION_LABELS = ['version', 'app.kubernetes.io/version', 'service.istio.io/canonical-revision'];

/**
 * Pods in the mesh should carry `app` and `version` labels (or their
 * `app.kubernetes.io/*` / `service.istio.io/canonical-*` equivalents).
 *
 * - Missing `app` is an **error**: metrics, traces and access logs have no service
 *   name, and subsets and policies have nothing stable to select on.
 * - Missing `version` is a **warning**: the workload still works, but subsets
 *   cannot tell its versions apart and telemetry shows `unknown`.
 *
 * Pods that opt out of the mesh (`sidecar.istio.io/inject: "false"`) and pods in
 * Kubernetes' own namespaces are skipped.
 */
export const workloadLabelsRule: AnalysisRule = {
  id: 'MF0004',
  name: 'workload-labels',
  description: 'A workload in the mesh lacks the app (error) or version (warning) label.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const workload of context.workloads) {
      if (!workload.injected || context.isSystemNamespace(workload.object.namespace)) continue;
      const labels = workload.podLabels;
      const where = workload.labelsField === 'metadata.labels' ? 'pod' : 'pod template';
      if (!APP_LABELS.some((l) => labels[l])) {
        findings.push(findingOf(workloadLabelsRule, 'error', workload.object, `${workload.labelsField}.app`,
          `${workload.object.ref}: ${where} has no "app" label (got ${formatLabels(labels)}); Istio names the workload's `
          + 'service in telemetry after it, and subsets and policies select on it'));
      }
      if (!VERSION_LABELS.some((l) => labels[l])) {
        findings.push(findingOf(workloadLabelsRule, 'warning', workload.object, `${workload.labelsField}.version`,
          `${workload.object.ref}: ${where} has no "version" label (got ${formatLabels(labels)}); `
          + 'DestinationRule subsets cannot tell its versions apart and telemetry reports version "unknown"'));
      }
    }
    return findings;
  },
};
