/**
 * RDS for sidecars: one RouteConfiguration per HTTP port, named by the port
 * ("9080"). A virtual host per visible service with that port, answering to the
 * service's names (short name in its own namespace, `name.ns`, `name.ns.svc`,
 * FQDN, each also with `:port`, and its addresses); its routes come from the
 * first VirtualService for the host, or are the default route. A last catch-all
 * virtual host passes unknown hosts through (ALLOW_ANY) or answers 502 (REGISTRY_ONLY).
 */
import type { VirtualServiceSpec } from '../../../constructs/api';
import type { ConfigObject } from '../../config/config-object';
import { RegistryService, isHttpProtocol } from '../../config/service-registry';
import { PASSTHROUGH_CLUSTER, outboundClusterName } from './cluster-names';
import type { PlainMessage } from './envoy';
import { RouteContext, defaultRoute, httpRoutes } from './http-routes';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { proxyClassKey } from './proxy-class';

/** The names a service answers to from `proxyNamespace`, without and with `:port`. */
export function serviceDomains(service: RegistryService, port: number, proxyNamespace: string, domainSuffix: string): string[] {
  const names = [service.hostname];
  const kube = `.${service.namespace}.svc.${domainSuffix}`;
  if (service.origin === 'Kubernetes' && service.hostname.endsWith(kube)) {
    const short = service.hostname.slice(0, -kube.length);
    if (service.namespace === proxyNamespace) names.push(short);
    names.push(`${short}.${service.namespace}.svc`, `${short}.${service.namespace}`);
  }
  names.push(...service.addresses);
  return names.flatMap((n) => [n, `${n}:${port}`]);
}

/** The VirtualService for `hostname` among `virtualServices`: an exact host first, else the first wildcard. */
export function virtualServiceFor(
  index: MeshIndex,
  virtualServices: readonly ConfigObject<VirtualServiceSpec>[],
  hostname: string,
): ConfigObject<VirtualServiceSpec> | undefined {
  return index.virtualServiceFor(virtualServices, hostname);
}

/** The routes of a virtual host: those of the VirtualService's http entries in order, else the default route. */
export function routesFor(ctx: RouteContext, vs: ConfigObject<VirtualServiceSpec> | undefined, defaultCluster: string): PlainMessage[] {
  if (!vs) return [defaultRoute(defaultCluster)];
  return (vs.spec.http ?? []).flatMap((h) => httpRoutes(ctx, vs, h));
}

/** The catch-all virtual host for hosts the registry does not know. */
export function catchAllVirtualHost(policy: 'ALLOW_ANY' | 'REGISTRY_ONLY'): PlainMessage {
  if (policy === 'REGISTRY_ONLY') {
    return { name: 'block_all', domains: ['*'], routes: [{ name: 'block_all', match: { prefix: '/' }, direct_response: { status: 502 } }] };
  }
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: PASSTHROUGH_CLUSTER, timeout: '0s' } }],
  };
}

/**
 * `vh` with the retry policy its forwarding routes all carry stated once, on
 * the virtual host (Envoy and gRPC apply a virtual host's policy to the routes
 * that set none). Every sidecar holds a virtual host per service, most with
 * Istio's default policy on each route: stating it once shrinks the route
 * configuration pushed on every change by half. Left as it is when a route
 * has no policy (it must not inherit one) or another policy.
 */
export function withSharedRetryPolicy(vh: PlainMessage): PlainMessage {
  const routes = vh.routes as PlainMessage[];
  const forwarding = routes.filter((r) => r.route !== undefined);
  const first = (forwarding[0]?.route as PlainMessage | undefined)?.retry_policy;
  if (first === undefined) return vh;
  const shared = JSON.stringify(first);
  if (!forwarding.every((r) => JSON.stringify((r.route as PlainMessage).retry_policy) === shared)) return vh;
  const withoutPolicy = (r: PlainMessage): PlainMessage => {
    if (r.route === undefined) return r;
    const { retry_policy: _hoisted, ...action } = r.route as PlainMessage;
    return { ...r, route: action };
  };
  return { ...vh, routes: routes.map(withoutPolicy), retry_policy: first };
}

/**
 * The route configuration for `port` over `services`, with `virtualServices`
 * applying; shared by the proxies of a class (see proxy-class.ts) when the
 * lists are a scope's own (named in the index).
 */
export function sidecarRouteConfig(
  index: MeshIndex,
  proxy: ProxyIdentity,
  port: number,
  services: readonly RegistryService[],
  virtualServices: readonly ConfigObject<VirtualServiceSpec>[],
  policy: 'ALLOW_ANY' | 'REGISTRY_ONLY',
  name: string = String(port),
): PlainMessage {
  const servicesKey = index.listKey(services);
  const vsKey = index.listKey(virtualServices);
  if (servicesKey === undefined || vsKey === undefined) return buildSidecarRouteConfig(index, proxy, port, services, virtualServices, policy, name);
  const key = JSON.stringify(['rds', proxyClassKey(index, proxy), servicesKey, vsKey, port, policy, name]);
  return index.sharedResource(key, () => buildSidecarRouteConfig(index, proxy, port, services, virtualServices, policy, name));
}

function buildSidecarRouteConfig(
  index: MeshIndex,
  proxy: ProxyIdentity,
  port: number,
  services: readonly RegistryService[],
  virtualServices: readonly ConfigObject<VirtualServiceSpec>[],
  policy: 'ALLOW_ANY' | 'REGISTRY_ONLY',
  name: string = String(port),
): PlainMessage {
  const ctx: RouteContext = { index, proxy, port, gateways: ['mesh'] };
  const taken = new Set<string>();
  const virtualHosts: PlainMessage[] = [];
  for (const service of services) {
    const servicePort = service.ports.find((p) => p.port === port);
    if (!servicePort || !isHttpProtocol(servicePort.protocol)) continue;
    const domains = serviceDomains(service, port, proxy.namespace, index.domainSuffix).filter((d) => !taken.has(d));
    if (domains.length === 0) continue;
    domains.forEach((d) => taken.add(d));
    const vs = virtualServiceFor(index, virtualServices, service.hostname);
    virtualHosts.push(
      withSharedRetryPolicy({
        name: `${service.hostname}:${port}`,
        domains,
        routes: routesFor(ctx, vs, outboundClusterName(port, undefined, service.hostname)),
        include_request_attempt_count: true,
      }),
    );
  }
  virtualHosts.push(catchAllVirtualHost(policy));
  return { name, virtual_hosts: virtualHosts, validate_clusters: false };
}
