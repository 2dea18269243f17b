/** Builders for the route stage tests: route tables from plain RDS JSON (through the real decoder) and requests. */
import { decodeRouteConfiguration, RouteConfiguration } from '../../runtime/xds/resources';
import { FlatHeadersRequest, FlatHeadersRequestInit, RouteDecision, RouteTable } from '../../runtime/proxy/routing';

export type Plain = Record<string, unknown>;

export function decode(plain: Plain): RouteConfiguration {
  const r = decodeRouteConfiguration(plain);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

/** A table with one virtual host `svc` (domains `svc`, `svc:80`) holding `routes`, plus `extraHosts`. */
export function table(routes: Plain[], extraHosts: Plain[] = [], extra: Plain = {}): RouteTable {
  return RouteTable.compile(decode({ name: '80', virtual_hosts: [{ name: 'svc', domains: ['svc', 'svc:80'], routes }, ...extraHosts], ...extra }));
}

export function request(init: Partial<FlatHeadersRequestInit> = {}): FlatHeadersRequest {
  return new FlatHeadersRequest({ method: 'GET', path: '/', authority: 'svc', sourceIp: '10.0.0.9', ...init });
}

/** The route name (or kind) a request lands on. */
export function landing(t: RouteTable, init: Partial<FlatHeadersRequestInit> = {}): string {
  const d = t.route(request(init));
  return d.kind === 'noRoute' ? 'NR' : d.route;
}

export function forward(d: RouteDecision) {
  if (d.kind !== 'forward') throw new Error(`expected a forward decision, got ${d.kind}`);
  return d;
}

/** A random source returning the given values in turn (then repeating the last). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}
