/**
 * RequestAuthentication → Envoy's jwt_authn filter, as Istio renders it: one
 * provider per JWT rule of every RequestAuthentication applying to the
 * workload (`origins-<i>`), and one requirement for every request: any
 * provider, or no token at all (`allow_missing`): an absent token passes, an
 * invalid one is answered 401. Requiring a principal is AuthorizationPolicy's
 * job (`requestPrincipals: ["*"]`).
 * Keys: `jwks` inline, a `file://` jwksUri as a local file, an http(s) jwksUri
 * as `remote_jwks` (fetched by the proxy; loopback only in local mode). The
 * payload goes to dynamic metadata under the issuer (Istio's choice).
 */
import type { JWTRule, RequestAuthenticationSpec } from '../../../constructs/api/request-authentication';
import { PolicyObject, policiesFor, policyFromConfig } from '../../security/policy-object';
import type { PlainMessage } from './envoy';
import { typed } from './envoy';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';

export const JWT_AUTHN_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';

/** Istio's JWKS refresh interval. */
const JWKS_CACHE = '1200s';

function jwksOf(rule: JWTRule): PlainMessage {
  if (rule.jwks !== undefined) return { local_jwks: { inline_string: rule.jwks } };
  const uri = rule.jwksUri ?? '';
  if (uri.startsWith('file://')) {
    let file = uri;
    try {
      file = decodeURIComponent(new URL(uri).pathname);
    } catch {
      // Left as written: the proxy reports it.
    }
    return { local_jwks: { filename: file } };
  }
  let cluster = 'jwks';
  try {
    const u = new URL(uri);
    const p = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
    cluster = `outbound|${p}||${u.hostname.replace(/^\[|\]$/g, '')}`;
  } catch {
    // The proxy rejects the URI, naming it.
  }
  return { remote_jwks: { http_uri: { uri, cluster, timeout: '5s' }, cache_duration: JWKS_CACHE } };
}

/** One JWT rule as a provider. */
export function jwtProvider(rule: JWTRule): PlainMessage {
  return {
    issuer: rule.issuer,
    ...(rule.audiences && rule.audiences.length > 0 ? { audiences: [...rule.audiences] } : {}),
    ...jwksOf(rule),
    ...(rule.forwardOriginalToken ? { forward: true } : {}),
    ...(rule.fromHeaders && rule.fromHeaders.length > 0
      ? { from_headers: rule.fromHeaders.map((h) => ({ name: h.name, ...(h.prefix ? { value_prefix: h.prefix } : {}) })) }
      : {}),
    ...(rule.fromParams && rule.fromParams.length > 0 ? { from_params: [...rule.fromParams] } : {}),
    ...(rule.outputPayloadToHeader ? { forward_payload_header: rule.outputPayloadToHeader } : {}),
    ...(rule.outputClaimToHeaders && rule.outputClaimToHeaders.length > 0
      ? { claim_to_headers: rule.outputClaimToHeaders.map((c) => ({ header_name: c.header, claim_name: c.claim })) }
      : {}),
    payload_in_metadata: rule.issuer,
  };
}

/** The RequestAuthentications of the snapshot applying to `proxy`, oldest first. */
export function requestAuthenticationsFor(index: MeshIndex, proxy: ProxyIdentity): PolicyObject<RequestAuthenticationSpec>[] {
  const all = index.snapshot.istio('RequestAuthentication').map((o) => policyFromConfig(o));
  return policiesFor(all, { namespace: proxy.namespace, labels: proxy.labels }, { rootNamespace: index.rootNamespace });
}

/** The jwt_authn filter for `policies` (already selected for one workload); none without JWT rules. */
export function jwtAuthnFilters(policies: readonly PolicyObject<RequestAuthenticationSpec>[]): PlainMessage[] {
  const rules = policies.flatMap((p) => p.spec.jwtRules ?? []);
  if (rules.length === 0) return [];
  const providers: Record<string, PlainMessage> = {};
  rules.forEach((r, i) => {
    providers[`origins-${i}`] = jwtProvider(r);
  });
  const requirements = [...Object.keys(providers).map((name) => ({ provider_name: name })), { allow_missing: {} }];
  return [{
    name: JWT_AUTHN_FILTER,
    typed_config: typed(JWT_AUTHN_TYPE, {
      providers,
      rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements } } }],
    }),
  }];
}
