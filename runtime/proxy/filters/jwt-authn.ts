/**
 * Envoy's jwt_authn filter over the decoded config ({@link JwtAuthnConfig}),
 * verifying with the project's jose-based {@link JwtAuthenticator}: each
 * provider becomes one JWT rule (issuer, audiences, keys inline / from a file /
 * from a loopback URL, token locations, forwarding). The requirement of the
 * first rule whose match accepts the request decides:
 * - a provider (or any/all of several): a valid token is required; a missing
 *   one answers 401 `Jwt is missing`;
 * - with `allow_missing` among the alternatives (Istio's rendering): no token
 *   passes, an invalid token answers 401;
 * - `allow_missing_or_failed`: nothing is rejected, only verified tokens count.
 * `requires_all` is treated as `requires_any` (every alternative's providers
 * may verify the token). A verified token leaves its payload in dynamic
 * metadata (`envoy.filters.http.jwt_authn`, under `payload_in_metadata`) and
 * Istio's `istio_authn` view of it (`request.auth.principal`, audiences,
 * presenter, claims as lists) for RBAC.
 */
import * as url from 'url';
import type { JWTRule } from '../../../constructs/api/request-authentication';
import type { JwtAuthnConfig, JwtProviderConfig, JwtRequirement } from '../../xds/resources';
import { JwtAuthenticator, RequestAuth } from '../../security';
import { CompiledMatch, compileMatch, RouteRequest } from '../routing';
import type { HeaderOp } from '../routing';
import type { DynamicMetadata } from './request-context';

export const JWT_AUTHN_METADATA = 'envoy.filters.http.jwt_authn';
export const ISTIO_AUTHN_METADATA = 'istio_authn';

export type JwtVerdict =
  | { readonly ok: true; readonly headerOps: readonly HeaderOp[]; readonly metadata: DynamicMetadata }
  | { readonly ok: false; readonly message: string };

interface CompiledRequirement {
  readonly authenticator: JwtAuthenticator;
  readonly allowMissing: boolean;
  readonly allowFailed: boolean;
  readonly payloadKeys: ReadonlyMap<string, string>;
}

interface CompiledRule {
  readonly match: CompiledMatch;
  readonly requirement: CompiledRequirement | undefined;
}

/** A provider as the authenticator's JWT rule. */
export function providerRule(p: JwtProviderConfig): JWTRule {
  let jwks: Pick<JWTRule, 'jwks' | 'jwksUri'>;
  if (p.jwks.kind === 'remote') jwks = { jwksUri: p.jwks.uri };
  else if (p.jwks.source.kind === 'inline') jwks = { jwks: p.jwks.source.value.toString('utf8') };
  else jwks = { jwksUri: url.pathToFileURL(p.jwks.source.path).href };
  return {
    issuer: p.issuer,
    ...(p.audiences.length > 0 ? { audiences: [...p.audiences] } : {}),
    ...jwks,
    ...(p.fromHeaders.length > 0 ? { fromHeaders: p.fromHeaders.map((h) => ({ name: h.name, prefix: h.valuePrefix })) } : {}),
    ...(p.fromParams.length > 0 ? { fromParams: [...p.fromParams] } : {}),
    ...(p.forward ? { forwardOriginalToken: true } : {}),
    ...(p.forwardPayloadHeader !== undefined ? { outputPayloadToHeader: p.forwardPayloadHeader } : {}),
    ...(p.claimToHeaders.length > 0 ? { outputClaimToHeaders: p.claimToHeaders.map((c) => ({ header: c.headerName, claim: c.claimName })) } : {}),
  };
}

function walk(req: JwtRequirement, out: { providers: Set<string>; allowMissing: boolean; allowFailed: boolean }): void {
  switch (req.kind) {
    case 'provider':
      out.providers.add(req.provider);
      return;
    case 'any':
    case 'all':
      for (const r of req.requirements) walk(r, out);
      return;
    case 'allowMissing':
      out.allowMissing = true;
      return;
    case 'allowMissingOrFailed':
      out.allowMissing = true;
      out.allowFailed = true;
  }
}

/** Claims as Istio's authn filter exposes them: every scalar as a one-element list, objects kept for nesting. */
function claimLists(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) out[k] = v.filter((x) => ['string', 'number', 'boolean'].includes(typeof x)).map(String);
    else if (v !== null && typeof v === 'object') out[k] = claimLists(v as Record<string, unknown>);
    else if (v !== null && v !== undefined) out[k] = [String(v)];
  }
  return out;
}

function authMetadata(auth: RequestAuth, payloadKey: string | undefined): DynamicMetadata {
  const istio: Record<string, unknown> = {
    'request.auth.principal': auth.principal,
    'request.auth.audiences': [...auth.audiences],
    'request.auth.claims': claimLists(auth.claims),
    ...(auth.presenter !== undefined ? { 'request.auth.presenter': auth.presenter } : {}),
  };
  return {
    [ISTIO_AUTHN_METADATA]: istio,
    ...(payloadKey !== undefined ? { [JWT_AUTHN_METADATA]: { [payloadKey]: auth.claims } } : {}),
  };
}

const NO_METADATA: DynamicMetadata = Object.freeze({}) as DynamicMetadata;

export class JwtAuthnFilter {
  /** Compiles the config; throws naming the provider when its keys cannot be used. */
  static compile(name: string, config: JwtAuthnConfig): JwtAuthnFilter {
    const rules = config.rules.map((r): CompiledRule => {
      const match = compileMatch(r.match);
      if (r.requires === undefined) return { match, requirement: undefined };
      const flags = { providers: new Set<string>(), allowMissing: false, allowFailed: false };
      walk(r.requires, flags);
      const providers = [...flags.providers].map((n) => config.providers.get(n)).filter((p): p is JwtProviderConfig => p !== undefined);
      const cacheMs = Math.min(...providers.map((p) => (p.jwks.kind === 'remote' ? p.jwks.cacheDurationMs : Infinity)));
      const compiled = JwtAuthenticator.compile(
        providers.map((p) => ({ namespace: 'xds', name: p.name, spec: { jwtRules: [providerRule(p)] } })),
        undefined,
        {
          ...(Number.isFinite(cacheMs) ? { cacheMs } : {}),
          clockSkewSeconds: providers.length > 0 ? Math.min(...providers.map((p) => p.clockSkewSeconds)) : 60,
        },
      );
      if (!compiled.ok) throw new Error(`${name}: ${compiled.errors.join('; ')}`);
      const payloadKeys = new Map(providers.filter((p) => p.payloadInMetadata !== undefined).map((p) => [p.issuer, p.payloadInMetadata as string]));
      return { match, requirement: { authenticator: compiled.value, allowMissing: flags.allowMissing, allowFailed: flags.allowFailed, payloadKeys } };
    });
    return new JwtAuthnFilter(name, rules);
  }

  private constructor(readonly name: string, private readonly rules: readonly CompiledRule[]) {}

  /** Verifies the request's token under the first matching rule. */
  async verify(request: RouteRequest, headers: Readonly<Record<string, string | readonly string[] | undefined>>): Promise<JwtVerdict> {
    const rule = this.rules.find((r) => r.match.matches(request));
    const req = rule?.requirement;
    if (req === undefined) return { ok: true, headerOps: [], metadata: NO_METADATA };
    const outcome = await req.authenticator.authenticate({ headers, path: request.path });
    if (!outcome.ok) {
      return req.allowFailed ? { ok: true, headerOps: [], metadata: NO_METADATA } : { ok: false, message: outcome.message };
    }
    if (outcome.auth === undefined) {
      return req.allowMissing ? { ok: true, headerOps: [], metadata: NO_METADATA } : { ok: false, message: 'Jwt is missing' };
    }
    const ops: HeaderOp[] = [
      ...outcome.headersToRemove.map((name): HeaderOp => ({ op: 'remove', name })),
      ...Object.entries(outcome.headersToAdd).map(([name, value]): HeaderOp => ({ op: 'set', name, value })),
    ];
    const iss = typeof outcome.auth.claims.iss === 'string' ? outcome.auth.claims.iss : '';
    return { ok: true, headerOps: ops, metadata: authMetadata(outcome.auth, req.payloadKeys.get(iss)) };
  }
}
