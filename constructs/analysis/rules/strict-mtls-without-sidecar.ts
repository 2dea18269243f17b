import { AnalysisContext, SECURITY_GROUP } from '../context';
import { Finding } from '../finding';
import { asArray, asRecord, asString, asStringMap } from '../private/fields';
import { AnalysisRule, findingOf } from '../rule';
import { Workload } from '../workload';

const PROXY_CONTAINER = 'istio-proxy';

/** The annotation injection leaves on the pods it changed, as `istioctl kube-inject` does. */
const INJECTION_STATUS = 'sidecar.istio.io/status';

/**
 * Whether a workload's pods get a sidecar: the pods carry the injection status
 * annotation or the injected `istio-proxy` container (synth-time injection), or the webhook
 * will add it (`sidecar.istio.io/inject: "true"` on the pods, or a namespace
 * labelled `istio-injection=enabled` / `istio.io/rev` in the input).
 */
function hasSidecar(context: AnalysisContext, w: Workload): boolean {
  if (!w.injected) return false;
  if (w.podAnnotations[INJECTION_STATUS] !== undefined) return true;
  const podSpec = w.labelsField === 'metadata.labels' ? w.object.spec : asRecord(asRecord(w.object.spec.template)?.spec);
  if (asArray(podSpec?.containers).some((c) => asString(asRecord(c)?.name) === PROXY_CONTAINER)) return true;
  if (asArray(podSpec?.initContainers).some((c) => asString(asRecord(c)?.name) === PROXY_CONTAINER)) return true;
  if (w.podLabels['sidecar.istio.io/inject'] === 'true') return true;
  const ns = context.ofKind('', 'Namespace').find((n) => n.name === w.object.namespace);
  const nsLabels = ns ? asStringMap(asRecord(ns.raw.metadata)?.labels) : {};
  return nsLabels['istio-injection'] === 'enabled' || nsLabels['istio.io/rev'] !== undefined;
}

/** Gateway proxies terminate their own TLS; a mesh-wide mode does not concern them. */
const GATEWAY_LABELS: ReadonlySet<string> = new Set(['ingressgateway', 'egressgateway']);

/**
 * Whether a mesh-wide policy is meant for the workload at all: pods that opt out of
 * the mesh (`sidecar.istio.io/inject: "false"`, like the control plane) and gateways
 * are knowingly outside it. A namespace or workload policy names its targets, so
 * every workload it selects counts.
 */
function meshWidePolicyConcerns(w: Workload): boolean {
  return w.injected && !GATEWAY_LABELS.has(w.podLabels.istio ?? '');
}

/**
 * PeerAuthentications with STRICT mTLS (mode or a port-level mode) over
 * workloads that have no sidecar: nothing there terminates mTLS, so every
 * meshed client sending mTLS to them, or plaintext clients, fail.
 */
export const strictMtlsWithoutSidecarRule: AnalysisRule = {
  id: 'MF0007',
  name: 'strict-mtls-without-sidecar',
  description: 'A PeerAuthentication requires STRICT mTLS for workloads that have no sidecar.',
  check(context: AnalysisContext): Finding[] {
    const findings: Finding[] = [];
    for (const pa of context.ofKind(SECURITY_GROUP, 'PeerAuthentication')) {
      const mode = asString(asRecord(pa.spec.mtls)?.mode);
      const portStrict = Object.values(asRecord(pa.spec.portLevelMtls) ?? {}).some((p) => asString(asRecord(p)?.mode) === 'STRICT');
      if (mode !== 'STRICT' && !portStrict) continue;
      const selector = AnalysisContext.selectorOf(pa) ?? {};
      const meshWide = pa.namespace === context.rootNamespace && Object.keys(selector).length === 0;
      const namespaces = meshWide ? [...context.namespaces] : [pa.namespace];
      const bare = namespaces.flatMap((ns) => context.workloadsSelected(ns, selector))
        .filter((w) => (!meshWide || meshWidePolicyConcerns(w)) && !hasSidecar(context, w));
      if (bare.length === 0) continue;
      const names = bare.map((w) => `${w.object.kind} ${w.object.namespace}/${w.object.name}`).join(', ');
      findings.push(findingOf(strictMtlsWithoutSidecarRule, 'warning', pa, mode === 'STRICT' ? 'spec.mtls.mode' : 'spec.portLevelMtls',
        `${pa.ref}: STRICT mTLS applies to workloads without a sidecar (${names}); nothing there terminates mTLS — inject the sidecar or use PERMISSIVE`));
    }
    return findings;
  },
};
