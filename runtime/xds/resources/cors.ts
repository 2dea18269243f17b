/**
 * CORS: the filter's per-route policy (`envoy.extensions.filters.http.cors.v3.CorsPolicy`,
 * also the older `route.v3.CorsPolicy` on virtual hosts and routes), and the
 * empty filter config (`...cors.v3.Cors`).
 */
import type { Message } from './private/reader';
import { runtimeFractionalPercent } from './private/percent';
import { StringMatcher, decodeStringMatcher } from './string-matcher';

export const CORS_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

export interface CorsPolicy {
  readonly allowOrigins: readonly StringMatcher[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** `Access-Control-Max-Age` in seconds; not sent when undefined. */
  readonly maxAgeSeconds?: number;
  readonly allowCredentials?: boolean;
  /** Share of requests the policy is enforced on, 0..1. @default 1 */
  readonly enabledFraction: number;
  /** Share of requests evaluated without enforcing (stats only), 0..1. @default 0 */
  readonly shadowFraction: number;
}

function list(m: Message, field: string): string[] {
  const text = m.string(field);
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Reads a CORS policy message. */
export function decodeCorsPolicy(m: Message): CorsPolicy {
  const allowOrigins = m.messages('allow_origin_string_match').map(decodeStringMatcher).filter((x): x is StringMatcher => x !== undefined);
  let maxAgeSeconds: number | undefined;
  const maxAge = m.string('max_age');
  if (maxAge !== undefined && maxAge !== '') {
    if (/^\d+$/.test(maxAge)) maxAgeSeconds = Number(maxAge);
    else m.error('max_age', `expected a whole number of seconds, got '${maxAge}'`);
  }
  const credentials = m.has('allow_credentials') ? m.bool('allow_credentials', false) : undefined;
  const enabled = m.message('filter_enabled');
  const shadow = m.message('shadow_enabled');
  return {
    allowOrigins,
    allowMethods: list(m, 'allow_methods'),
    allowHeaders: list(m, 'allow_headers'),
    exposeHeaders: list(m, 'expose_headers'),
    ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}),
    ...(credentials !== undefined ? { allowCredentials: credentials } : {}),
    enabledFraction: enabled ? runtimeFractionalPercent(enabled) : 1,
    shadowFraction: shadow ? runtimeFractionalPercent(shadow) : 0,
  };
}
