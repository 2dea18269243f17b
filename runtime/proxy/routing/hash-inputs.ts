/**
 * Inputs of the consistent hash (ring hash, Maglev) from a route's hash
 * policies: a header's value, a cookie's value, the source IP or a query
 * parameter. Policies are evaluated in order; a terminal policy that yields a
 * value ends the evaluation. Filter-state policies yield nothing here.
 */
import type { HashPolicy } from '../../xds/resources';
import { RouteRequest, cookieValue, queryParameter } from './route-request';

/** The hash inputs of a request, or undefined when no policy yields one. */
export function hashInputs(policies: readonly HashPolicy[], request: RouteRequest): readonly string[] | undefined {
  let out: string[] | undefined;
  for (const p of policies) {
    let value: string | undefined;
    switch (p.kind) {
      case 'header':
        value = request.header(p.headerName);
        break;
      case 'cookie':
        value = cookieValue(request, p.name);
        break;
      case 'sourceIp':
        value = request.sourceIp === '' ? undefined : request.sourceIp;
        break;
      case 'queryParameter':
        value = queryParameter(request.path, p.name);
        break;
      case 'filterState':
        value = undefined;
        break;
    }
    if (value === undefined) continue;
    (out ??= []).push(value);
    if (p.terminal) break;
  }
  return out;
}
