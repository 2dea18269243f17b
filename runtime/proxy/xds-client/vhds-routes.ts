/**
 * Route configurations whose virtual hosts come one by one over VHDS (delta
 * ADS), put together as Envoy does: a route configuration with `vhds` holds
 * its inline virtual hosts plus every virtual host resource named
 * `<route configuration>/<virtual host>`. It is applied only once VHDS has
 * answered for it (until then its listeners warm), then again whenever one of
 * its virtual hosts changes.
 */
import { createHash } from 'crypto';
import { namespaceOf } from '../../xds/resource-types';
import type { RouteConfiguration, VirtualHost } from '../../xds/resources';
import type { AppliedResource } from '../config';

type Route = AppliedResource<RouteConfiguration>;
type Host = AppliedResource<VirtualHost>;

export class VhdsRoutes {
  /** Route configurations with `vhds`, as RDS delivered them. */
  private readonly routes = new Map<string, Route>();
  /** Virtual hosts by resource name. */
  private readonly hosts = new Map<string, Host>();
  /** Route configurations VHDS has answered for. */
  private readonly answered = new Set<string>();

  /** Names of the route configurations to subscribe to over VHDS. */
  public names(): Set<string> {
    return new Set(this.routes.keys());
  }

  /**
   * Route configurations RDS delivered: those without `vhds` pass as they are,
   * those with it are held and come back with their virtual hosts once VHDS answered.
   */
  public fromRds(delivered: readonly Route[], removed: readonly string[]): Route[] {
    for (const name of removed) this.forget(name);
    const out: Route[] = [];
    for (const route of delivered) {
      if (!route.value.vhds) {
        this.forget(route.name);
        out.push(route);
        continue;
      }
      this.routes.set(route.name, route);
      if (this.answered.has(route.name)) out.push(this.merged(route));
    }
    return out;
  }

  /** Virtual hosts VHDS delivered or removed: the route configurations they complete, with their virtual hosts. */
  public fromVhds(delivered: readonly Host[], removed: readonly string[]): Route[] {
    const touched = new Set<string>();
    for (const name of removed) {
      this.hosts.delete(name);
      touched.add(namespaceOf(name));
    }
    for (const host of delivered) {
      this.hosts.set(host.name, host);
      touched.add(namespaceOf(host.name));
    }
    const out: Route[] = [];
    for (const name of touched) {
      this.answered.add(name);
      const route = this.routes.get(name);
      if (route) out.push(this.merged(route));
    }
    return out;
  }

  /** A route configuration no longer taking virtual hosts over VHDS: unsubscribed, so its virtual hosts go. */
  private forget(name: string): void {
    this.routes.delete(name);
    this.answered.delete(name);
    for (const host of [...this.hosts.keys()]) if (namespaceOf(host) === name) this.hosts.delete(host);
  }

  private merged(route: Route): Route {
    const hosts = [...this.hosts.values()].filter((h) => namespaceOf(h.name) === route.name).sort((a, b) => (a.name < b.name ? -1 : 1));
    const inline = Array.isArray(route.raw.virtual_hosts) ? route.raw.virtual_hosts : [];
    const hash = createHash('sha256');
    hash.update(route.hash);
    for (const h of hosts) hash.update(`\n${h.hash}`);
    return {
      ...route,
      value: { ...route.value, virtualHosts: [...route.value.virtualHosts, ...hosts.map((h) => h.value)] },
      raw: { ...route.raw, virtual_hosts: [...inline, ...hosts.map((h) => h.raw)] },
      hash: hash.digest('hex').slice(0, 16),
    };
  }
}
