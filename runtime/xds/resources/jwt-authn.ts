/**
 * `envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication`: JWT
 * providers (issuer, audiences, where the keys and the token come from, what to
 * forward) and the requirement of each request, as Istio renders
 * RequestAuthentications. Keys come inline, from a file (`local_jwks.filename`),
 * or from an http(s) URI on loopback (`remote_jwks`): this proxy fetches them
 * itself and never reaches outside the machine.
 */
import { checkJwksUri } from '../../security/jwks-source';
import { DataSource, decodeDataSource } from './data-source';
import type { Message } from './private/reader';
import { decodeRouteMatch } from './route-match';
import type { RouteMatch } from './route-match';

export const JWT_AUTHN_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';

export type JwksSource =
  | { readonly kind: 'local'; readonly source: DataSource }
  | { readonly kind: 'remote'; readonly uri: string; readonly cacheDurationMs: number };

export interface JwtProviderConfig {
  readonly name: string;
  readonly issuer: string;
  /** Empty: any audience. */
  readonly audiences: readonly string[];
  readonly jwks: JwksSource;
  /** Keep the token header when forwarding. @default false */
  readonly forward: boolean;
  /** Empty with no `fromParams`: `Authorization: Bearer` and `access_token` (Envoy's defaults). */
  readonly fromHeaders: readonly { readonly name: string; readonly valuePrefix: string }[];
  readonly fromParams: readonly string[];
  readonly forwardPayloadHeader?: string;
  /** Dynamic-metadata key (under `envoy.filters.http.jwt_authn`) receiving the payload. */
  readonly payloadInMetadata?: string;
  readonly claimToHeaders: readonly { readonly headerName: string; readonly claimName: string }[];
  /** @default 60 */
  readonly clockSkewSeconds: number;
}

export type JwtRequirement =
  | { readonly kind: 'provider'; readonly provider: string; readonly audiences?: readonly string[] }
  | { readonly kind: 'any' | 'all'; readonly requirements: readonly JwtRequirement[] }
  | { readonly kind: 'allowMissing' }
  | { readonly kind: 'allowMissingOrFailed' };

export interface JwtRequirementRule {
  readonly match: RouteMatch;
  /** Absent: no verification for matching requests. */
  readonly requires?: JwtRequirement;
}

export interface JwtAuthnConfig {
  /** By name. */
  readonly providers: ReadonlyMap<string, JwtProviderConfig>;
  /** First match wins. */
  readonly rules: readonly JwtRequirementRule[];
  readonly bypassCorsPreflight: boolean;
}

const DEFAULT_CACHE_MS = 300_000;

function decodeProvider(name: string, m: Message): JwtProviderConfig | undefined {
  m.unsupported(['subjects', 'max_lifetime', 'from_cookies', 'header_in_metadata', 'failed_status_in_metadata', 'jwt_cache_config']);
  const issuer = m.string('issuer') ?? '';
  const audiences = m.strings('audiences', { nonEmpty: true });
  const which = m.oneof(['remote_jwks', 'local_jwks'] as const, { required: true });
  let jwks: JwksSource | undefined;
  if (which === 'local_jwks') {
    const l = m.message('local_jwks');
    const source = l ? decodeDataSource(l) : undefined;
    if (source) jwks = { kind: 'local', source };
  } else if (which === 'remote_jwks') {
    const r = m.message('remote_jwks');
    const httpUri = r?.message('http_uri', { required: true });
    const uri = httpUri?.string('uri', { required: true });
    const cacheDurationMs = r?.duration('cache_duration', { sign: 'positive' }) ?? DEFAULT_CACHE_MS;
    if (uri !== undefined && httpUri) {
      const problem = checkJwksUri(uri);
      if (problem !== undefined || uri.startsWith('file:')) httpUri.error('uri', problem ?? 'expected an http(s) URL (use local_jwks.filename for files)');
      else jwks = { kind: 'remote', uri, cacheDurationMs };
    }
  }
  const fromHeaders = m.messages('from_headers').map((h) => ({ name: (h.string('name', { required: true }) ?? '').toLowerCase(), valuePrefix: h.string('value_prefix') ?? '' }));
  const fromParams = m.strings('from_params', { nonEmpty: true });
  const forwardPayloadHeader = m.string('forward_payload_header');
  const payloadInMetadata = m.string('payload_in_metadata');
  const claimToHeaders = m.messages('claim_to_headers').map((c) => ({
    headerName: c.string('header_name', { required: true }) ?? '',
    claimName: c.string('claim_name', { required: true }) ?? '',
  }));
  const clockSkewSeconds = m.integer('clock_skew_seconds') ?? 60;
  if (jwks === undefined) return undefined;
  return {
    name, issuer, audiences, jwks,
    forward: m.bool('forward', false),
    fromHeaders, fromParams,
    ...(forwardPayloadHeader ? { forwardPayloadHeader } : {}),
    ...(payloadInMetadata ? { payloadInMetadata } : {}),
    claimToHeaders, clockSkewSeconds,
  };
}

function decodeRequirement(m: Message, providers: ReadonlySet<string>): JwtRequirement | undefined {
  const kind = m.oneof(['provider_name', 'provider_and_audiences', 'requires_any', 'requires_all', 'allow_missing_or_failed', 'allow_missing'] as const, { required: true });
  const known = (at: Message, field: string, name: string | undefined): boolean => {
    if (name === undefined) return false;
    if (!providers.has(name)) {
      at.error(field, `unknown provider '${name}'`);
      return false;
    }
    return true;
  };
  switch (kind) {
    case 'provider_name': {
      const provider = m.string('provider_name', { required: true });
      return known(m, 'provider_name', provider) ? { kind: 'provider', provider: provider as string } : undefined;
    }
    case 'provider_and_audiences': {
      const p = m.message('provider_and_audiences');
      const provider = p?.string('provider_name', { required: true });
      const audiences = p?.strings('audiences') ?? [];
      return p && known(p, 'provider_name', provider) ? { kind: 'provider', provider: provider as string, audiences } : undefined;
    }
    case 'requires_any':
    case 'requires_all': {
      const list = m.message(kind)?.messages('requirements', { minItems: 2 }) ?? [];
      const requirements = list.map((r) => decodeRequirement(r, providers));
      if (requirements.some((r) => r === undefined)) return undefined;
      return { kind: kind === 'requires_any' ? 'any' : 'all', requirements: requirements as JwtRequirement[] };
    }
    case 'allow_missing':
      return { kind: 'allowMissing' };
    case 'allow_missing_or_failed':
      return { kind: 'allowMissingOrFailed' };
    default:
      return undefined;
  }
}

/** Reads the jwt_authn filter config (the fields after `@type`). */
export function decodeJwtAuthn(m: Message): JwtAuthnConfig {
  m.unsupported(['filter_state_rules', 'requirement_map', 'strip_failure_response']);
  const providers = new Map<string, JwtProviderConfig>();
  for (const [name, p] of m.entries('providers')) {
    const provider = decodeProvider(name, p);
    if (provider) providers.set(name, provider);
  }
  const names = new Set(m.entries('providers').map(([n]) => n));
  const rules: JwtRequirementRule[] = [];
  for (const r of m.messages('rules')) {
    r.unsupported(['requirement_name'], 'is not supported (give requires)');
    const mm = r.message('match', { required: true });
    const match = mm ? decodeRouteMatch(mm) : undefined;
    const req = r.message('requires');
    const requires = req ? decodeRequirement(req, names) : undefined;
    if (match) rules.push({ match, ...(requires ? { requires } : {}) });
  }
  return { providers, rules, bypassCorsPreflight: m.bool('bypass_cors_preflight', false) };
}
