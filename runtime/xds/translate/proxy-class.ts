/**
 * Proxies with the same view of the config: the key of a proxy's class holds
 * everything about the proxy that its outbound clusters, load assignments and
 * route configurations depend on, so proxies with equal keys share them.
 *
 * That is: its type and generator, its namespace (exportTo, sourceNamespace,
 * short host names, DestinationRule lookup order), the Sidecar that applies to
 * it (its egress scope), which workloadSelector DestinationRules of its
 * namespace pick it, and which VirtualService `sourceLabels` match it. Its
 * address, name and inbound ports are not part of it: they shape only its
 * own resources (inbound listeners and clusters).
 */
import type { DestinationRuleSpec } from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { labelsMatch } from '../../config/host-match';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sidecarFor } from './sidecar-scope';

type Labels = Readonly<Record<string, string>>;

const KEYS = new WeakMap<MeshIndex, WeakMap<ProxyIdentity, string>>();

/** Distinct `sourceLabels` selectors of every VirtualService match (http, tcp, tls). */
function sourceSelectors(index: MeshIndex): readonly Labels[] {
  return index.memo('proxy-class|source-labels', () => {
    const seen = new Map<string, Labels>();
    for (const vs of index.virtualServices) {
      const entries = [...(vs.spec.http ?? []), ...(vs.spec.tcp ?? []), ...(vs.spec.tls ?? [])];
      for (const entry of entries) {
        for (const m of (entry.match ?? []) as readonly { sourceLabels?: Labels }[]) {
          if (m.sourceLabels) seen.set(JSON.stringify(m.sourceLabels), m.sourceLabels);
        }
      }
    }
    return [...seen.values()];
  });
}

/** DestinationRules of `namespace` with a workloadSelector. */
function selectingRules(index: MeshIndex, namespace: string): readonly ConfigObject<DestinationRuleSpec>[] {
  return index.memo(`proxy-class|selecting-rules|${namespace}`, () =>
    index.destinationRules.filter((dr) => dr.namespace === namespace && dr.spec.workloadSelector !== undefined));
}

/** The class key of `proxy` under `index` (see above). */
export function proxyClassKey(index: MeshIndex, proxy: ProxyIdentity): string {
  let byProxy = KEYS.get(index);
  if (!byProxy) KEYS.set(index, (byProxy = new WeakMap()));
  let key = byProxy.get(proxy);
  if (key !== undefined) return key;
  const sidecar = proxy.type === 'sidecar' ? sidecarFor(index, proxy) : undefined;
  const rules = selectingRules(index, proxy.namespace)
    .map((dr, i) => (labelsMatch(dr.spec.workloadSelector?.matchLabels ?? {}, proxy.labels) ? i : -1))
    .filter((i) => i >= 0);
  const sources = sourceSelectors(index).map((sel) => (labelsMatch(sel, proxy.labels) ? '1' : '0')).join('');
  key = JSON.stringify([proxy.type, proxy.generator ?? '', proxy.namespace, sidecar ? `${sidecar.namespace}/${sidecar.name}` : '', rules, sources]);
  byProxy.set(proxy, key);
  return key;
}
