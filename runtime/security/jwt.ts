/**
 * RequestAuthentication: JWT validation as Istio configures Envoy's jwt_authn
 * filter.
 * - A request without a token passes, with no request principal (use an
 *   AuthorizationPolicy with `requestPrincipals: ['*']` to require one).
 * - A token that fails validation — signature, expiry (60 s clock skew),
 *   issuer not configured, audience not allowed, unknown key — answers 401.
 * - Tokens are read per rule from `fromHeaders` (default `Authorization:
 *   Bearer <token>`) and `fromParams` (default `access_token`); setting either
 *   replaces both defaults.
 * - The verified token gives `request.auth.principal` = `<iss>/<sub>`, the
 *   audiences, the presenter (`azp`) and every claim, for AuthorizationPolicy.
 * - Unless `forwardOriginalToken`, the token's header is reported for removal;
 *   `outputPayloadToHeader` and `outputClaimToHeaders` become headers to add.
 * Algorithms: RS*, PS*, ES256/384/512, EdDSA (jose verifies).
 */
import type * as Jose from 'jose';
import type { JWTRule, RequestAuthenticationSpec } from '../../constructs/api/request-authentication';
import { Result, fail, ok } from '../xds/resources/result';
import { jose } from './jose-module';
import { JwksCache, JwksCacheOptions, checkJwksUri, parseJwks } from './jwks-source';
import { PolicyObject, PolicyScopeOptions, Workload, policiesFor, policyKey } from './policy-object';
import type { RequestAuth } from './request-attributes';

/** The status Envoy's jwt_authn filter answers an invalid token with. */
export const JWT_DENIED_STATUS = 401;

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const DEFAULT_HEADER = { name: 'authorization', prefix: 'Bearer ' } as const;
const DEFAULT_PARAM = 'access_token';

/** What the authenticator reads of a request. */
export interface JwtRequest {
  /** Headers by lowercase name. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Path with its query string (for `fromParams`). */
  readonly path?: string;
}

/** The outcome for one request. */
export type JwtOutcome =
  | {
    readonly ok: true;
    /** The verified token's identity and claims; absent when the request carried no token. */
    readonly auth?: RequestAuth;
    /** Headers to strip before forwarding (the token's, unless `forwardOriginalToken`). Lowercase. */
    readonly headersToRemove: readonly string[];
    /** Headers to set before forwarding (`outputPayloadToHeader`, `outputClaimToHeaders`). */
    readonly headersToAdd: Readonly<Record<string, string>>;
  }
  | { readonly ok: false; readonly status: 401; readonly message: string };

export interface JwtAuthenticatorOptions extends PolicyScopeOptions, JwksCacheOptions {
  /** Allowed clock skew on `exp` / `nbf`, seconds. @default 60 (Envoy's) */
  readonly clockSkewSeconds?: number;
}

interface Location {
  readonly header?: { readonly name: string; readonly prefix: string };
  readonly param?: string;
}

interface CompiledRule {
  readonly policy: string;
  readonly rule: JWTRule;
  readonly locations: readonly Location[];
  readonly keys: JwksCache;
}

interface FoundToken {
  readonly token: string;
  readonly location: Location;
}

const NO_HEADERS: readonly string[] = Object.freeze([]);
const NO_ADD: Readonly<Record<string, string>> = Object.freeze({});

function locationsOf(rule: JWTRule): Location[] {
  const headers = rule.fromHeaders ?? (rule.fromParams ? [] : [DEFAULT_HEADER]);
  const params = rule.fromParams ?? (rule.fromHeaders ? [] : [DEFAULT_PARAM]);
  return [
    ...headers.map((h) => ({ header: { name: h.name.toLowerCase(), prefix: h.prefix ?? '' } })),
    ...params.map((p) => ({ param: p })),
  ];
}

function sameLocation(a: Location, b: Location): boolean {
  return a.param === b.param && a.header?.name === b.header?.name && a.header?.prefix === b.header?.prefix;
}

function extract(request: JwtRequest, location: Location, query: URLSearchParams | undefined): string | undefined {
  if (location.header) {
    const raw = request.headers[location.header.name];
    const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    for (const v of values) {
      if (v.startsWith(location.header.prefix)) {
        const token = v.slice(location.header.prefix.length).trim();
        if (token !== '') return token;
      }
    }
    return undefined;
  }
  const token = location.param !== undefined ? query?.get(location.param) : undefined;
  return token ? token : undefined;
}

function describeFailure(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'Jwt is expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (err as Jose.errors.JWTClaimValidationFailed).claim;
      if (claim === 'aud') return 'Audiences in Jwt are not allowed';
      if (claim === 'iss') return 'Jwt issuer is not configured';
      if (claim === 'nbf') return 'Jwt not yet valid';
      return `Jwt claim ${claim} is invalid`;
    }
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'Jwks doesn\'t have key to match kid or alg from Jwt';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'Jwt verification fails';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections';
    default:
      return `Jwks remote fetch is failed (${(err as Error).message})`;
  }
}

function scalar(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** The RequestAuthentications of one workload, compiled. */
export class JwtAuthenticator {
  /**
   * Compiles the RequestAuthentications applying to `workload` (without one:
   * `policies` as given). Fails naming policy and field on an unusable JWKS
   * (bad inline JSON, a non-loopback `jwksUri`, or neither given).
   */
  static compile(
    policies: readonly PolicyObject<RequestAuthenticationSpec>[],
    workload?: Workload,
    options: JwtAuthenticatorOptions = {},
  ): Result<JwtAuthenticator> {
    const selected = workload ? policiesFor(policies, workload, options) : [...policies];
    const errors: string[] = [];
    const rules: CompiledRule[] = [];
    for (const p of selected) {
      (p.spec.jwtRules ?? []).forEach((rule, i) => {
        const where = `RequestAuthentication ${policyKey(p)}: spec.jwtRules[${i}]`;
        let keys: JwksCache | undefined;
        if (rule.jwks !== undefined) {
          try {
            keys = JwksCache.inline(parseJwks(rule.jwks));
          } catch (err) {
            errors.push(`${where}.jwks: ${(err as Error).message}`);
          }
        } else if (rule.jwksUri !== undefined) {
          const problem = checkJwksUri(rule.jwksUri);
          if (problem) errors.push(`${where}.jwksUri: ${problem}`);
          else keys = new JwksCache(rule.jwksUri, options);
        } else {
          errors.push(`${where}: expected jwks or jwksUri (OpenID discovery from the issuer is not supported)`);
        }
        if (keys) rules.push({ policy: policyKey(p), rule, locations: locationsOf(rule), keys });
      });
    }
    return errors.length > 0 ? fail(errors) : ok(new JwtAuthenticator(rules, options));
  }

  private readonly now: () => Date;
  private readonly skew: number;
  private readonly usesParams: boolean;

  private constructor(private readonly rules: readonly CompiledRule[], options: JwtAuthenticatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.skew = options.clockSkewSeconds ?? 60;
    this.usesParams = rules.some((r) => r.locations.some((l) => l.param !== undefined));
  }

  /** Whether any rule applies (if not, `authenticate` always passes without a principal). */
  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  /** Validates the request's tokens. */
  async authenticate(request: JwtRequest): Promise<JwtOutcome> {
    if (this.rules.length === 0) return { ok: true, headersToRemove: NO_HEADERS, headersToAdd: NO_ADD };
    let query: URLSearchParams | undefined;
    if (this.usesParams && request.path !== undefined) {
      const q = request.path.indexOf('?');
      if (q >= 0) query = new URLSearchParams(request.path.slice(q + 1));
    }
    const found: FoundToken[] = [];
    for (const r of this.rules) {
      for (const location of r.locations) {
        if (found.some((f) => sameLocation(f.location, location))) continue;
        const token = extract(request, location, query);
        if (token !== undefined) found.push({ token, location });
      }
    }
    if (found.length === 0) return { ok: true, headersToRemove: NO_HEADERS, headersToAdd: NO_ADD };

    let auth: RequestAuth | undefined;
    const remove: string[] = [];
    const add: Record<string, string> = {};
    for (const f of found) {
      let issuer: string | undefined;
      try {
        issuer = jose().decodeJwt(f.token).iss;
      } catch {
        return { ok: false, status: JWT_DENIED_STATUS, message: 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections' };
      }
      const rule = this.rules.find((r) => r.rule.issuer === issuer && r.locations.some((l) => sameLocation(l, f.location)));
      if (!rule) return { ok: false, status: JWT_DENIED_STATUS, message: 'Jwt issuer is not configured' };
      const verified = await this.verify(f.token, rule);
      if (!verified.ok) return { ok: false, status: JWT_DENIED_STATUS, message: verified.errors[0] };
      const payload = verified.value;
      const aud = payload.aud;
      auth ??= {
        principal: `${payload.iss ?? ''}/${payload.sub ?? ''}`,
        audiences: aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud,
        ...(typeof payload.azp === 'string' ? { presenter: payload.azp } : {}),
        claims: payload,
      };
      if (!rule.rule.forwardOriginalToken && f.location.header) remove.push(f.location.header.name);
      if (rule.rule.outputPayloadToHeader) {
        add[rule.rule.outputPayloadToHeader.toLowerCase()] = Buffer.from(JSON.stringify(payload)).toString('base64url');
      }
      for (const c of rule.rule.outputClaimToHeaders ?? []) {
        const v = scalar(payload[c.claim]);
        if (v !== undefined) add[c.header.toLowerCase()] = v;
      }
    }
    return { ok: true, ...(auth ? { auth } : {}), headersToRemove: remove, headersToAdd: add };
  }

  private async verify(token: string, rule: CompiledRule): Promise<Result<Jose.JWTPayload>> {
    const options: Jose.JWTVerifyOptions = {
      issuer: rule.rule.issuer,
      algorithms: ALGORITHMS,
      clockTolerance: this.skew,
      currentDate: this.now(),
      ...(rule.rule.audiences && rule.rule.audiences.length > 0 ? { audience: [...rule.rule.audiences] } : {}),
    };
    try {
      const keys = await rule.keys.keySet();
      try {
        return ok((await jose().jwtVerify(token, keys, options)).payload);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
        const fresh = await rule.keys.refetchForUnknownKey();
        if (!fresh) throw err;
        return ok((await jose().jwtVerify(token, fresh, options)).payload);
      }
    } catch (err) {
      return fail([describeFailure(err)]);
    }
  }
}
