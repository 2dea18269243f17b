/**
 * The CORS filter, per route (Envoy semantics). Requests without an Origin, with
 * a policy not enabled for this request, or from an origin no
 * `allow_origin_string_match` entry accepts, pass untouched. A preflight
 * (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin
 * is answered 200 with the allow-* headers; an actual request from an allowed
 * origin gets Access-Control-Allow-Origin (the origin echoed), -Allow-Credentials
 * and -Expose-Headers on its response.
 */
import type { CorsPolicy } from '../../xds/resources';
import { matchString } from '../../xds/resources';
import type { HeaderOp } from './header-ops';
import { RandomSource, sample } from './random';
import type { RouteRequest } from './route-request';

export type CorsOutcome =
  | { readonly kind: 'preflight'; readonly headers: readonly HeaderOp[] }
  | { readonly kind: 'actual'; readonly headers: readonly HeaderOp[] };

export interface CompiledCors {
  evaluate(request: RouteRequest, random: RandomSource): CorsOutcome | undefined;
}

const set = (name: string, value: string): HeaderOp => Object.freeze({ op: 'set', name, value });

/** Compiles a CORS policy. */
export function compileCors(policy: CorsPolicy): CompiledCors {
  const preflightStatic: HeaderOp[] = [];
  const actualStatic: HeaderOp[] = [];
  if (policy.allowCredentials === true) {
    preflightStatic.push(set('access-control-allow-credentials', 'true'));
    actualStatic.push(set('access-control-allow-credentials', 'true'));
  }
  if (policy.allowMethods.length > 0) preflightStatic.push(set('access-control-allow-methods', policy.allowMethods.join(',')));
  if (policy.allowHeaders.length > 0) preflightStatic.push(set('access-control-allow-headers', policy.allowHeaders.join(',')));
  if (policy.maxAgeSeconds !== undefined) preflightStatic.push(set('access-control-max-age', String(policy.maxAgeSeconds)));
  if (policy.exposeHeaders.length > 0) actualStatic.push(set('access-control-expose-headers', policy.exposeHeaders.join(',')));
  const origins = policy.allowOrigins;
  // Envoy treats a matcher that accepts the literal `*` as allowing every origin.
  const anyOrigin = origins.some((m) => matchString(m, '*'));
  const allowed = (origin: string): boolean => anyOrigin || origins.some((m) => matchString(m, origin));
  return {
    evaluate(request, random) {
      const origin = request.header('origin');
      if (origin === undefined || origin === '') return undefined;
      if (!sample(policy.enabledFraction, random)) return undefined;
      if (!allowed(origin)) return undefined;
      const allowOrigin = set('access-control-allow-origin', origin);
      if (request.method === 'OPTIONS' && (request.header('access-control-request-method') ?? '') !== '') {
        return { kind: 'preflight', headers: [allowOrigin, ...preflightStatic] };
      }
      return { kind: 'actual', headers: [allowOrigin, ...actualStatic] };
    },
  };
}
