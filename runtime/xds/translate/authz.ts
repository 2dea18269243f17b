/**
 * AuthorizationPolicy → Envoy's HTTP RBAC filter, as Istio renders it:
 * - the policies applying to the workload (its namespace and the root
 *   namespace, selector matching) are split by action: DENY policies go into
 *   one RBAC filter with action DENY, placed before the ALLOW filter; no ALLOW
 *   policy means no ALLOW filter (everything allowed); an ALLOW policy without
 *   rules still creates the ALLOW filter, which then denies what nothing allows;
 * - each rule becomes a policy named `ns[<ns>]-policy[<name>]-rule[<i>]`, its
 *   `to` operations and destination conditions the permissions, its `from`
 *   sources and source/request conditions the principals;
 * - values keep Istio's forms: exact, `prefix*`, `*suffix`, `*` (present);
 *   principals are matched against the peer's SPIFFE id (`spiffe://` + value),
 *   namespaces as the `/ns/<ns>/` segment of it, request principals and JWT
 *   claims as `istio_authn` dynamic metadata (filled by the JWT stage).
 * CUSTOM and AUDIT policies are not rendered (external authorizers and audit
 * logging are out of scope). A rule that cannot be rendered fails closed: in a
 * DENY policy it denies everything, in an ALLOW policy it is left out.
 */
import type { AuthorizationPolicySpec, Condition, Operation, Rule, Source } from '../../../constructs/api/authorization-policy';
import { addressMatcher } from '../../security/cidr';
import { PolicyObject, policiesFor, policyFromConfig } from '../../security/policy-object';
import type { PlainMessage } from './envoy';
import { typed } from './envoy';
import { jwtAuthnFilters, requestAuthenticationsFor } from './jwt';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';

export const RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
/** The ALLOW filter keeps Envoy's well-known name; the DENY filter, which runs first, gets its own. */
export const RBAC_FILTER = 'envoy.filters.http.rbac';
export const RBAC_DENY_FILTER = 'envoy.filters.http.rbac.deny';
/** Dynamic-metadata namespace holding the verified request's identity (`request.auth.*`). */
export const AUTHN_METADATA = 'istio_authn';

/** Istio's policy name of one rule. */
export function rbacPolicyName(namespace: string, name: string, rule: number): string {
  return `ns[${namespace}]-policy[${name}]-rule[${rule}]`;
}

type Matcher = PlainMessage;

/** Istio's value forms as a StringMatcher (`prefix` prepended to exact and prefix values). */
function stringMatcher(value: string, prefix = ''): Matcher {
  if (value === '*') return { safe_regex: { regex: '.+' } };
  if (value.endsWith('*')) return { prefix: prefix + value.slice(0, -1) };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  return { exact: prefix + value };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A namespace value as a regex over the SPIFFE id (`.../ns/<ns>/sa/...`). */
function namespaceRegex(value: string): string {
  let ns: string;
  if (value === '*') ns = '[^/]+';
  else if (value.endsWith('*')) ns = `${escapeRegex(value.slice(0, -1))}[^/]*`;
  else if (value.startsWith('*')) ns = `[^/]*${escapeRegex(value.slice(1))}`;
  else ns = escapeRegex(value);
  return `.*/ns/${ns}/.*`;
}

function cidr(value: string): PlainMessage | undefined {
  const { invalid } = addressMatcher([value]);
  if (invalid.length > 0) return undefined;
  const [address, bits] = value.trim().split('/') as [string, string | undefined];
  return { address_prefix: address, prefix_len: bits !== undefined ? Number(bits) : address.includes(':') ? 128 : 32 };
}

function headerMatcher(name: string, value: string, ignoreCase = false): PlainMessage {
  if (value === '*') return { name, present_match: true };
  return { name, string_match: { ...stringMatcher(value), ...(ignoreCase ? { ignore_case: true } : {}) } };
}

function metadataMatcher(key: string, path: readonly string[], value: PlainMessage): PlainMessage {
  return { filter: AUTHN_METADATA, path: [key, ...path].map((k) => ({ key: k })), value };
}

/** Thrown for a value that cannot be rendered; the rule then fails closed. */
class Unrenderable extends Error {}

type Kind = 'permission' | 'principal';
const SET: Readonly<Record<Kind, { and: string; or: string; not: string; items: string }>> = {
  permission: { and: 'and_rules', or: 'or_rules', not: 'not_rule', items: 'rules' },
  principal: { and: 'and_ids', or: 'or_ids', not: 'not_id', items: 'ids' },
};

function combine(kind: Kind, op: 'and' | 'or', parts: readonly PlainMessage[]): PlainMessage {
  if (parts.length === 0) return { any: true };
  if (parts.length === 1) return parts[0] as PlainMessage;
  return { [SET[kind][op]]: { [SET[kind].items]: parts } };
}

function negate(kind: Kind, part: PlainMessage): PlainMessage {
  return { [SET[kind].not]: part };
}

/** One Source/Operation/Condition value as a principal or permission. */
type ValueRenderer = (value: string) => PlainMessage;

const principalName: ValueRenderer = (v) => ({ authenticated: { principal_name: stringMatcher(v, 'spiffe://') } });
const namespace: ValueRenderer = (v) => ({ authenticated: { principal_name: { safe_regex: { regex: namespaceRegex(v) } } } });
const ipBlock = (field: 'direct_remote_ip' | 'remote_ip'): ValueRenderer => (v) => {
  const c = cidr(v);
  if (c === undefined) throw new Unrenderable(`invalid IP or CIDR '${v}'`);
  return { [field]: c };
};
const requestPrincipal: ValueRenderer = (v) => ({ metadata: metadataMatcher('request.auth.principal', [], { string_match: stringMatcher(v) }) });
const port: ValueRenderer = (v) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new Unrenderable(`invalid port '${v}'`);
  return { destination_port: Number(v) };
};

/** A field's values (any) and not-values (none) as one list of parts. */
function fieldParts(kind: Kind, values: readonly string[] | undefined, notValues: readonly string[] | undefined, render: ValueRenderer): PlainMessage[] {
  const parts: PlainMessage[] = [];
  if (values !== undefined && values.length > 0) parts.push(combine(kind, 'or', values.map(render)));
  if (notValues !== undefined && notValues.length > 0) parts.push(negate(kind, combine(kind, 'or', notValues.map(render))));
  return parts;
}

function sourcePrincipal(s: Source): PlainMessage {
  return combine('principal', 'and', [
    ...fieldParts('principal', s.principals, s.notPrincipals, principalName),
    ...fieldParts('principal', s.requestPrincipals, s.notRequestPrincipals, requestPrincipal),
    ...fieldParts('principal', s.namespaces, s.notNamespaces, namespace),
    ...fieldParts('principal', s.ipBlocks, s.notIpBlocks, ipBlock('direct_remote_ip')),
    ...fieldParts('principal', s.remoteIpBlocks, s.notRemoteIpBlocks, ipBlock('remote_ip')),
  ]);
}

function operationPermission(o: Operation): PlainMessage {
  return combine('permission', 'and', [
    ...fieldParts('permission', o.hosts, o.notHosts, (v) => ({ header: headerMatcher(':authority', v, true) })),
    ...fieldParts('permission', o.ports, o.notPorts, port),
    ...fieldParts('permission', o.methods, o.notMethods, (v) => ({ header: headerMatcher(':method', v) })),
    ...fieldParts('permission', o.paths, o.notPaths, (v) => ({ url_path: { path: stringMatcher(v) } })),
  ]);
}

/** Where a `when` key goes (principals or permissions) and how its values render; undefined for an unknown key. */
export function conditionRenderer(key: string): { kind: Kind; render: ValueRenderer } | undefined {
  switch (key) {
    case 'source.ip':
      return { kind: 'principal', render: ipBlock('direct_remote_ip') };
    case 'remote.ip':
      return { kind: 'principal', render: ipBlock('remote_ip') };
    case 'source.namespace':
      return { kind: 'principal', render: namespace };
    case 'source.principal':
      return { kind: 'principal', render: principalName };
    case 'request.auth.principal':
      return { kind: 'principal', render: requestPrincipal };
    case 'request.auth.presenter':
      return { kind: 'principal', render: (v) => ({ metadata: metadataMatcher('request.auth.presenter', [], { string_match: stringMatcher(v) }) }) };
    case 'request.auth.audiences':
      return { kind: 'principal', render: (v) => ({ metadata: metadataMatcher('request.auth.audiences', [], { list_match: { one_of: { string_match: stringMatcher(v) } } }) }) };
    case 'destination.ip':
      return { kind: 'permission', render: (v) => {
        const c = cidr(v);
        if (c === undefined) throw new Unrenderable(`invalid IP or CIDR '${v}'`);
        return { destination_ip: c };
      } };
    case 'destination.port':
      return { kind: 'permission', render: port };
    case 'connection.sni':
      return { kind: 'permission', render: (v) => ({ requested_server_name: stringMatcher(v) }) };
    default:
      break;
  }
  const header = /^request\.headers\[([^\]]+)\]$/.exec(key);
  if (header) {
    const name = (header[1] as string).toLowerCase();
    return { kind: 'principal', render: (v) => ({ header: headerMatcher(name, v) }) };
  }
  const claims = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(key);
  if (claims) {
    const path = [...(claims[1] as string).matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] as string);
    return { kind: 'principal', render: (v) => ({ metadata: metadataMatcher('request.auth.claims', path, { list_match: { one_of: { string_match: stringMatcher(v) } } }) }) };
  }
  return undefined;
}

function conditionPart(c: Condition): { kind: Kind; parts: PlainMessage[] } {
  const r = conditionRenderer(c.key);
  if (r === undefined) throw new Unrenderable(`unsupported when key '${c.key}'`);
  if ((c.values?.length ?? 0) === 0 && (c.notValues?.length ?? 0) === 0) throw new Unrenderable(`condition '${c.key}' has no values`);
  return { kind: r.kind, parts: fieldParts(r.kind, c.values, c.notValues, r.render) };
}

/** A rule as an RBAC policy. */
export function rulePolicy(rule: Rule): PlainMessage {
  const permissions: PlainMessage[] = [];
  const principals: PlainMessage[] = [];
  const tos = (rule.to ?? []).map((t) => operationPermission(t.operation ?? {}));
  if (tos.length > 0) permissions.push(combine('permission', 'or', tos));
  const froms = (rule.from ?? []).map((f) => sourcePrincipal(f.source ?? {}));
  if (froms.length > 0) principals.push(combine('principal', 'or', froms));
  for (const c of rule.when ?? []) {
    const { kind, parts } = conditionPart(c);
    (kind === 'permission' ? permissions : principals).push(...parts);
  }
  return {
    permissions: [combine('permission', 'and', permissions)],
    principals: [combine('principal', 'and', principals)],
  };
}

const MATCH_ALL: PlainMessage = Object.freeze({ permissions: [{ any: true }], principals: [{ any: true }] });

function policiesOf(list: readonly PolicyObject<AuthorizationPolicySpec>[], action: 'ALLOW' | 'DENY'): PlainMessage {
  const policies: Record<string, PlainMessage> = {};
  for (const p of list) {
    (p.spec.rules ?? []).forEach((rule, i) => {
      const name = rbacPolicyName(p.namespace, p.name, i);
      try {
        policies[name] = rulePolicy(rule);
      } catch (e) {
        if (!(e instanceof Unrenderable)) throw e;
        if (action === 'DENY') policies[name] = MATCH_ALL;
      }
    });
  }
  return { action, policies };
}

/** The AuthorizationPolicies of the snapshot applying to `proxy`, oldest first. */
export function authorizationPoliciesFor(index: MeshIndex, proxy: ProxyIdentity): PolicyObject<AuthorizationPolicySpec>[] {
  const all = index.snapshot.istio('AuthorizationPolicy').map((o) => policyFromConfig(o));
  return policiesFor(all, { namespace: proxy.namespace, labels: proxy.labels }, { rootNamespace: index.rootNamespace });
}

/** The RBAC filters for `policies` (already selected for one workload): DENY first, then ALLOW; none when no policy applies. */
export function rbacFilters(policies: readonly PolicyObject<AuthorizationPolicySpec>[]): PlainMessage[] {
  const deny = policies.filter((p) => p.spec.action === 'DENY');
  const allow = policies.filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  const filters: PlainMessage[] = [];
  if (deny.length > 0) filters.push({ name: RBAC_DENY_FILTER, typed_config: typed(RBAC_TYPE, { rules: policiesOf(deny, 'DENY') }) });
  if (allow.length > 0) filters.push({ name: RBAC_FILTER, typed_config: typed(RBAC_TYPE, { rules: policiesOf(allow, 'ALLOW') }) });
  return filters;
}

/** The security HTTP filters of a workload's inbound connection managers: jwt_authn, then RBAC (DENY, ALLOW). */
export function inboundSecurityFilters(index: MeshIndex, proxy: ProxyIdentity): PlainMessage[] {
  return [...jwtAuthnFilters(requestAuthenticationsFor(index, proxy)), ...rbacFilters(authorizationPoliciesFor(index, proxy))];
}
