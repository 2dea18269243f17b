/**
 * Translation for proxyless gRPC clients (node metadata `GENERATOR: grpc`), as
 * Istio answers them and as grpc-js-xds (and grpc-go, grpc-java) validate them:
 *
 * - LDS: one listener per visible service port that speaks HTTP/gRPC, named
 *   `<fqdn>:<port>` (the name a client asks for with `xds:///<fqdn>:<port>`), holding
 *   only an `api_listener` whose HttpConnectionManager fetches the route
 *   configuration of the same name over ADS, with the fault filter and the router
 *   (gRPC refuses filters it does not know, such as CORS, unless optional);
 * - RDS: that route configuration: the service's virtual host (its short and long
 *   names, with and without the port) with the VirtualService routes the sidecar
 *   translation builds — header matches, weights, fault abort/delay, retries —
 *   adapted to what gRPC accepts: routes whose action is a redirect or a direct
 *   response are left out, the route timeout becomes `max_stream_duration`, CORS
 *   per-route configs are dropped, and there is no catch-all passthrough host;
 * - CDS: the EDS clusters `outbound|PORT|SUBSET|FQDN`, with a load-balancing
 *   policy gRPC supports (ROUND_ROBIN, or RING_HASH for consistent hashing);
 *   clusters gRPC cannot use (STATIC, STRICT_DNS, ORIGINAL_DST) are left out;
 * - EDS: their load assignments, each locality weighted (gRPC ignores a
 *   locality without `load_balancing_weight`).
 */
import type { ConfigSnapshot } from '../../config/config-snapshot';
import { isHttpProtocol } from '../../config/service-registry';
import { isEdsPlan, outboundCluster, planOutboundClusters } from './clusters';
import { FILTER, PlainMessage, TYPE, adsConfigSource, typed } from './envoy';
import { loadAssignment } from './endpoints';
import type { EnvoyResources } from './index';
import { MeshIndex, TranslateOptions } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { sidecarRouteConfig } from './routes';
import { sidecarScope } from './sidecar-scope';

/** The node metadata GENERATOR value of proxyless gRPC clients. */
export const GRPC_GENERATOR = 'grpc';

/** The name of the listener and route configuration of a service port: `reviews.default.svc.cluster.local:9080`. */
export function grpcListenerName(hostname: string, port: number): string {
  return `${hostname}:${port}`;
}

/** The HTTP filters gRPC clients run: fault injection, then the router (which must be last). */
export function grpcHttpFilters(): PlainMessage[] {
  return [
    { name: FILTER.fault, typed_config: typed(TYPE.fault) },
    { name: FILTER.router, typed_config: typed(TYPE.router) },
  ];
}

/** The client-side listener of `name`: an api_listener fetching the route configuration `name` over ADS. */
export function grpcApiListener(name: string): PlainMessage {
  return {
    name,
    api_listener: {
      api_listener: typed(TYPE.hcm, {
        stat_prefix: name,
        rds: { route_config_name: name, config_source: adsConfigSource() },
        http_filters: grpcHttpFilters(),
      }),
    },
  };
}

/** Lb policies gRPC clients implement. */
const GRPC_LB_POLICIES: ReadonlySet<string> = new Set(['ROUND_ROBIN', 'RING_HASH']);

/** A cluster made acceptable to gRPC: ROUND_ROBIN unless RING_HASH (MAGLEV becomes RING_HASH). */
export function grpcCluster(cluster: PlainMessage): PlainMessage {
  const out: PlainMessage = { ...cluster };
  const policy = String(out.lb_policy ?? 'ROUND_ROBIN');
  if (policy === 'MAGLEV') {
    delete out.maglev_lb_config;
    out.lb_policy = 'RING_HASH';
  } else if (!GRPC_LB_POLICIES.has(policy)) {
    out.lb_policy = 'ROUND_ROBIN';
  }
  return out;
}

/** A load assignment with every locality weighted by the sum of its endpoints' weights. */
export function grpcLoadAssignment(assignment: PlainMessage): PlainMessage {
  const groups = Array.isArray(assignment.endpoints) ? (assignment.endpoints as PlainMessage[]) : [];
  return {
    ...assignment,
    endpoints: groups.map((group) => {
      const lbEndpoints = Array.isArray(group.lb_endpoints) ? (group.lb_endpoints as PlainMessage[]) : [];
      const weight = lbEndpoints.reduce((sum, e) => sum + (typeof e.load_balancing_weight === 'number' ? e.load_balancing_weight : 1), 0);
      return { ...group, load_balancing_weight: Math.max(weight, 1) };
    }),
  };
}

/** A route made acceptable to gRPC, or `undefined` when gRPC has no equivalent of its action. */
export function grpcRoute(route: PlainMessage): PlainMessage | undefined {
  if (route.route === undefined) return undefined; // redirect, direct_response
  const action: PlainMessage = { ...(route.route as PlainMessage) };
  const timeout = action.timeout;
  if (typeof timeout === 'string' && timeout !== '0s') {
    action.max_stream_duration = { max_stream_duration: timeout, grpc_timeout_header_max: timeout };
  }
  const out: PlainMessage = { ...route, route: action };
  const perFilter = route.typed_per_filter_config as PlainMessage | undefined;
  if (perFilter) {
    const kept: PlainMessage = { ...perFilter };
    delete kept[FILTER.cors];
    if (Object.keys(kept).length > 0) out.typed_per_filter_config = kept;
    else delete out.typed_per_filter_config;
  }
  return out;
}

function byName(field: string): (a: PlainMessage, b: PlainMessage) => number {
  return (a, b) => {
    const x = String(a[field]);
    const y = String(b[field]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** The resources of a proxyless gRPC client under `snapshot`. */
export function translateGrpc(snapshot: ConfigSnapshot, proxy: ProxyIdentity, options: TranslateOptions = {}): EnvoyResources {
  const index = MeshIndex.of(snapshot, options);
  const scope = sidecarScope(index, proxy);
  const listeners: PlainMessage[] = [];
  const routes: PlainMessage[] = [];
  const conflicts: string[] = [];
  const seen = new Set<string>();
  for (const egress of scope.egress) {
    for (const service of egress.services) {
      for (const port of service.ports) {
        if (!isHttpProtocol(port.protocol)) continue;
        if (egress.port && egress.port.number > 0 && egress.port.number !== port.port) continue;
        const name = grpcListenerName(service.hostname, port.port);
        if (seen.has(name)) continue;
        seen.add(name);
        const config = sidecarRouteConfig(index, proxy, port.port, [service], egress.virtualServices, scope.outboundTrafficPolicy, name);
        const virtualHosts = (config.virtual_hosts as PlainMessage[])
          .filter((vh) => vh.name !== 'allow_any' && vh.name !== 'block_all')
          .map((vh) => {
            const all = vh.routes as PlainMessage[];
            const kept = all.map(grpcRoute).filter((r): r is PlainMessage => r !== undefined);
            if (kept.length < all.length) conflicts.push(`route configuration '${name}': ${all.length - kept.length} route(s) with a redirect or direct response left out (gRPC clients cannot follow them)`);
            return { ...vh, routes: kept };
          });
        routes.push({ ...config, virtual_hosts: virtualHosts });
        listeners.push(grpcApiListener(name));
      }
    }
  }
  const plans = planOutboundClusters(index, proxy, scope.services).filter(isEdsPlan);
  const unique = plans.filter((p, i) => plans.findIndex((q) => q.name === p.name) === i);
  return {
    listeners: listeners.sort(byName('name')),
    routes: routes.sort(byName('name')),
    clusters: unique.map((p) => grpcCluster(outboundCluster(p))).sort(byName('name')),
    endpoints: unique.map((p) => grpcLoadAssignment(loadAssignment(p.name, p.service, p.port, p.subsetLabels))).sort(byName('cluster_name')),
    conflicts,
  };
}
