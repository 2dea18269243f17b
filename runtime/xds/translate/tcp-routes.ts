/**
 * VirtualService `tcp` routes for a TCP port: the first entry whose match
 * applies (port, sourceLabels, gateways, sourceNamespace) decides the tcp_proxy
 * target, one cluster or weighted clusters; without one, the service itself.
 */
import type { VirtualServiceSpec } from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { labelsMatch } from '../../config/host-match';
import type { RegistryService } from '../../config/service-registry';
import { outboundClusterName } from './cluster-names';
import { FILTER, PlainMessage, TYPE, typed } from './envoy';
import { RouteContext, destinationCluster } from './http-routes';
import { virtualServiceFor } from './routes';

/** The tcp_proxy filter for `service` on `ctx.port`, following its VirtualService's tcp routes. */
export function tcpProxyFor(ctx: RouteContext, service: RegistryService, virtualServices: readonly ConfigObject<VirtualServiceSpec>[]): PlainMessage {
  const fallback = outboundClusterName(ctx.port, undefined, service.hostname);
  const vs = virtualServiceFor(ctx.index, virtualServices.filter((v) => (v.spec.tcp ?? []).length > 0), service.hostname);
  const vsGateways = vs?.spec.gateways && vs.spec.gateways.length > 0 ? vs.spec.gateways : ['mesh'];
  const entry = vs?.spec.tcp?.find((t) => {
    if (!t.match || t.match.length === 0) return vsGateways.some((g) => ctx.gateways.includes(g));
    return t.match.some((m) =>
      (m.port === undefined || m.port === ctx.port)
      && (!m.sourceLabels || labelsMatch(m.sourceLabels, ctx.proxy.labels))
      && (m.sourceNamespace === undefined || m.sourceNamespace === ctx.proxy.namespace)
      && (m.gateways && m.gateways.length > 0 ? m.gateways : vsGateways).some((g) => ctx.gateways.includes(g)));
  });
  const dests = (entry?.route ?? []).filter((d, _i, all) => all.length === 1 || (d.weight ?? 0) > 0);
  const statPrefix = fallback;
  if (!vs || dests.length === 0) return { name: FILTER.tcpProxy, typed_config: typed(TYPE.tcpProxy, { stat_prefix: statPrefix, cluster: fallback }) };
  if (dests.length === 1) {
    const cluster = destinationCluster(ctx, vs.namespace, dests[0]?.destination as Parameters<typeof destinationCluster>[2]);
    return { name: FILTER.tcpProxy, typed_config: typed(TYPE.tcpProxy, { stat_prefix: cluster, cluster }) };
  }
  return {
    name: FILTER.tcpProxy,
    typed_config: typed(TYPE.tcpProxy, {
      stat_prefix: statPrefix,
      weighted_clusters: { clusters: dests.map((d) => ({ name: destinationCluster(ctx, vs.namespace, d.destination), weight: d.weight ?? 0 })) },
    }),
  };
}
