/**
 * Virtual hosts apart from their route configurations, for Envoys on delta ADS
 * (VHDS). A route configuration then carries no virtual hosts, only
 * `vhds.config_source.ads`; each of its virtual hosts is a resource of its own
 * named `<route configuration>/<virtual host>`, which the proxy receives by
 * subscribing to the route configuration's name (Envoy's VHDS subscribes to
 * that name and matches resources by the namespace before the last `/`).
 *
 * A VirtualService change then sends the one virtual host it changes instead
 * of the whole route configuration holding every service of the port.
 *
 * Lists shared by many proxies are split once: the same input list gives the
 * same output lists, so the cache keeps sharing them. A virtual host equal to
 * the one split from an earlier route configuration of the same name is that
 * earlier object, so its encoding and validation are reused: a change to one
 * service re-encodes one virtual host.
 */
import type { PlainMessage } from '../protos';
import { TypeUrl } from '../resource-types';
import { carryOver } from './generations';
import type { ResourceLayers } from './index';

/** The resources of one type: a plain list, or layers shared by a class of proxies and the proxy's own. */
type TypeResources = readonly PlainMessage[] | ResourceLayers;

/** `vhds` of a route configuration whose virtual hosts come over the ADS stream. */
const VHDS_OVER_ADS: PlainMessage = Object.freeze({ config_source: { ads: {}, resource_api_version: 'V3' } });

interface Split {
  readonly routes: readonly PlainMessage[];
  readonly virtualHosts: readonly PlainMessage[];
}

const SPLIT_LISTS = new WeakMap<readonly PlainMessage[], Split>();
const SPLIT_ROUTES = new WeakMap<PlainMessage, { readonly route: PlainMessage; readonly virtualHosts: readonly PlainMessage[] }>();

/** The name a virtual host of route configuration `routeConfig` has as a VHDS resource. */
export function vhdsResourceName(routeConfig: string, virtualHost: string): string {
  return `${routeConfig}/${virtualHost}`;
}

function splitRoute(route: PlainMessage): { readonly route: PlainMessage; readonly virtualHosts: readonly PlainMessage[] } {
  let split = SPLIT_ROUTES.get(route);
  if (!split) {
    const { virtual_hosts: hosts, ...rest } = route;
    const name = String(route.name);
    const list = Array.isArray(hosts) ? (hosts as PlainMessage[]) : [];
    // A route configuration without virtual hosts stays whole: VHDS would have nothing to answer.
    split = list.length === 0
      ? { route, virtualHosts: [] }
      : { route: { ...rest, vhds: VHDS_OVER_ADS }, virtualHosts: list.map((vh) => apart(name, vh)) };
    SPLIT_ROUTES.set(route, split);
  }
  return split;
}

/** Virtual host `vh` of route configuration `routeConfig` as a resource of its own (the earlier object when equal). */
function apart(routeConfig: string, vh: PlainMessage): PlainMessage {
  const name = vhdsResourceName(routeConfig, String(vh.name));
  return carryOver(`vhds|${name}`, { ...vh, name });
}

function splitList(list: readonly PlainMessage[]): Split {
  let split = SPLIT_LISTS.get(list);
  if (!split) {
    const parts = list.map(splitRoute);
    split = { routes: parts.map((p) => p.route), virtualHosts: parts.flatMap((p) => p.virtualHosts) };
    SPLIT_LISTS.set(list, split);
  }
  return split;
}

/**
 * `resources` (by type URL, as `Snapshot.create` takes them) with the virtual
 * hosts of every route configuration moved to VirtualHost resources.
 */
export function virtualHostsApart(resources: Readonly<Record<string, TypeResources>>): Record<string, TypeResources> {
  const routes = resources[TypeUrl.RouteConfiguration];
  if (!routes) return { ...resources };
  if (Array.isArray(routes)) {
    const split = splitList(routes as readonly PlainMessage[]);
    return { ...resources, [TypeUrl.RouteConfiguration]: split.routes, [TypeUrl.VirtualHost]: split.virtualHosts };
  }
  const layers = routes as ResourceLayers;
  const shared = splitList(layers.shared);
  const own = splitList(layers.own);
  return {
    ...resources,
    [TypeUrl.RouteConfiguration]: { shared: shared.routes, own: own.routes },
    [TypeUrl.VirtualHost]: { shared: shared.virtualHosts, own: own.virtualHosts },
  };
}
