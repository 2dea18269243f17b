/**
 * `envoy.extensions.filters.http.rbac.v3.RBAC`: the role-based access control
 * filter Istio renders AuthorizationPolicies into. Decoded into a plain policy
 * tree (permissions, principals) that the proxy evaluates per request. Only
 * `rules` is read (plus `shadow_rules`, kept for stats only); CEL conditions and
 * the matcher-tree form are rejected.
 */
import type { CidrRange } from './listener';
import type { Message } from './private/reader';
import { HeaderMatcher, decodeHeaderMatcher } from './route-match';
import { StringMatcher, decodeStringMatcher } from './string-matcher';

export const RBAC_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';


/** `type.matcher.v3.ValueMatcher` over a dynamic-metadata value. */
export type MetadataValueMatcher =
  | { readonly kind: 'string'; readonly matcher: StringMatcher }
  | { readonly kind: 'present'; readonly present: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  /** A list value with at least one element the inner matcher accepts. */
  | { readonly kind: 'listOneOf'; readonly matcher: MetadataValueMatcher }
  | { readonly kind: 'or'; readonly matchers: readonly MetadataValueMatcher[] };

/** `type.matcher.v3.MetadataMatcher`: the value at `path` under `filter`'s dynamic metadata. */
export interface MetadataMatcher {
  readonly filter: string;
  readonly path: readonly string[];
  readonly value: MetadataValueMatcher;
  readonly invert: boolean;
}

/** The request matches a permission and a principal can both hold. */
export type RbacRequestMatch =
  | { readonly kind: 'header'; readonly matcher: HeaderMatcher }
  /** The path without query string. */
  | { readonly kind: 'urlPath'; readonly matcher: StringMatcher }
  | { readonly kind: 'metadata'; readonly matcher: MetadataMatcher };

export type RbacPermission =
  | { readonly kind: 'any' }
  | { readonly kind: 'and' | 'or'; readonly rules: readonly RbacPermission[] }
  | { readonly kind: 'not'; readonly rule: RbacPermission }
  | RbacRequestMatch
  | { readonly kind: 'destinationIp'; readonly cidr: CidrRange }
  | { readonly kind: 'destinationPort'; readonly port: number }
  | { readonly kind: 'destinationPortRange'; readonly start: number; readonly end: number }
  | { readonly kind: 'requestedServerName'; readonly matcher: StringMatcher };

export type RbacPrincipal =
  | { readonly kind: 'any' }
  | { readonly kind: 'and' | 'or'; readonly ids: readonly RbacPrincipal[] }
  | { readonly kind: 'not'; readonly id: RbacPrincipal }
  /** The peer certificate's URI SAN (else subject); no matcher: any authenticated peer. */
  | { readonly kind: 'authenticated'; readonly principalName?: StringMatcher }
  /** `direct_remote_ip` (and the deprecated `source_ip`): the downstream connection's address. */
  | { readonly kind: 'directRemoteIp'; readonly cidr: CidrRange }
  /** The original client address (after X-Forwarded-For handling). */
  | { readonly kind: 'remoteIp'; readonly cidr: CidrRange }
  | RbacRequestMatch;

export interface RbacPolicy {
  readonly name: string;
  /** Any of them. */
  readonly permissions: readonly RbacPermission[];
  /** Any of them. */
  readonly principals: readonly RbacPrincipal[];
}

export interface RbacRules {
  readonly action: 'ALLOW' | 'DENY' | 'LOG';
  /** In name order (Envoy reports the first matching policy by name). */
  readonly policies: readonly RbacPolicy[];
}

export interface RbacConfig {
  /** Absent: the filter allows everything. */
  readonly rules?: RbacRules;
  /** Evaluated for stats only. */
  readonly shadowRules?: RbacRules;
  readonly rulesStatPrefix: string;
}

function decodeCidr(m: Message): CidrRange | undefined {
  const address = m.string('address_prefix', { required: true });
  // Unset means 0: the whole address family, as in Envoy.
  const prefixLength = m.integer('prefix_len', { max: 128 }) ?? 0;
  if (address === undefined) return undefined;
  const family = /^[0-9.]+$/.test(address) ? 4 : address.includes(':') ? 6 : 0;
  if (family === 0) {
    m.error('address_prefix', `expected an IP address (got '${address}')`);
    return undefined;
  }
  if (family === 4 && prefixLength > 32) {
    m.error('prefix_len', `must be at most 32 for an IPv4 address (got ${prefixLength})`);
    return undefined;
  }
  return { address, prefixLength };
}

function decodeValueMatcher(m: Message): MetadataValueMatcher | undefined {
  const kind = m.oneof(['null_match', 'double_match', 'string_match', 'bool_match', 'present_match', 'list_match', 'or_match'] as const, { required: true });
  switch (kind) {
    case 'string_match': {
      const s = m.message('string_match');
      const matcher = s ? decodeStringMatcher(s) : undefined;
      return matcher ? { kind: 'string', matcher } : undefined;
    }
    case 'present_match':
      return { kind: 'present', present: m.bool('present_match', false) };
    case 'bool_match':
      return { kind: 'bool', value: m.bool('bool_match', false) };
    case 'null_match':
      return { kind: 'null' };
    case 'list_match': {
      const inner = m.message('list_match')?.message('one_of', { required: true });
      const matcher = inner ? decodeValueMatcher(inner) : undefined;
      return matcher ? { kind: 'listOneOf', matcher } : undefined;
    }
    case 'or_match': {
      const list = m.message('or_match')?.messages('value_matchers', { minItems: 2 }) ?? [];
      const matchers = list.map(decodeValueMatcher);
      return matchers.every((x) => x !== undefined) ? { kind: 'or', matchers: matchers as MetadataValueMatcher[] } : undefined;
    }
    case 'double_match':
      m.error('double_match', 'is not supported');
      return undefined;
    default:
      return undefined;
  }
}

function decodeMetadataMatcher(m: Message): MetadataMatcher | undefined {
  const filter = m.string('filter', { required: true });
  const path = m.messages('path', { minItems: 1 }).map((s) => s.string('key', { required: true }));
  const v = m.message('value', { required: true });
  const value = v ? decodeValueMatcher(v) : undefined;
  const invert = m.bool('invert', false);
  if (filter === undefined || value === undefined || path.some((p) => p === undefined) || path.length === 0) return undefined;
  return { filter, path: path as string[], value, invert };
}

function decodePathMatcher(m: Message): StringMatcher | undefined {
  const inner = m.message('path', { required: true });
  return inner ? decodeStringMatcher(inner) : undefined;
}

/** `field`'s message read by `decode` and wrapped by `wrap`; undefined when it is absent or invalid. */
function nested<T, R>(m: Message, field: string, decode: (inner: Message) => T | undefined, wrap: (value: T) => R): R | undefined {
  const inner = m.message(field);
  const value = inner ? decode(inner) : undefined;
  return value === undefined ? undefined : wrap(value);
}

function decodeRequestMatch(m: Message, field: 'header' | 'url_path' | 'metadata'): RbacRequestMatch | undefined {
  switch (field) {
    case 'header':
      return nested(m, field, decodeHeaderMatcher, (matcher) => ({ kind: 'header', matcher }));
    case 'url_path':
      return nested(m, field, decodePathMatcher, (matcher) => ({ kind: 'urlPath', matcher }));
    case 'metadata':
      return nested(m, field, decodeMetadataMatcher, (matcher) => ({ kind: 'metadata', matcher }));
  }
}

const PERMISSION_KINDS = [
  'and_rules', 'or_rules', 'any', 'header', 'url_path', 'destination_ip', 'destination_port', 'destination_port_range',
  'metadata', 'not_rule', 'requested_server_name', 'matcher', 'uri_template',
] as const;

export function decodePermission(m: Message): RbacPermission | undefined {
  const kind = m.oneof(PERMISSION_KINDS, { required: true });
  switch (kind) {
    case 'any':
      if (!m.bool('any', false)) m.error('any', 'must be true');
      return { kind: 'any' };
    case 'and_rules':
    case 'or_rules': {
      const rules = m.message(kind)?.messages('rules', { minItems: 1 }).map(decodePermission) ?? [];
      if (rules.some((r) => r === undefined)) return undefined;
      return { kind: kind === 'and_rules' ? 'and' : 'or', rules: rules as RbacPermission[] };
    }
    case 'not_rule':
      return nested(m, kind, decodePermission, (rule) => ({ kind: 'not', rule }));
    case 'header':
    case 'url_path':
    case 'metadata':
      return decodeRequestMatch(m, kind);
    case 'destination_ip':
      return nested(m, kind, decodeCidr, (cidr) => ({ kind: 'destinationIp', cidr }));
    case 'destination_port': {
      const port = m.integer('destination_port', { max: 65535 });
      return port === undefined ? undefined : { kind: 'destinationPort', port };
    }
    case 'destination_port_range': {
      const r = m.message('destination_port_range');
      const start = r?.integer('start', { max: 65536 });
      const end = r?.integer('end', { max: 65536 });
      if (start === undefined || end === undefined) return undefined;
      return { kind: 'destinationPortRange', start, end };
    }
    case 'requested_server_name':
      return nested(m, kind, decodeStringMatcher, (matcher) => ({ kind: 'requestedServerName', matcher }));
    case 'matcher':
    case 'uri_template':
      m.error(kind, 'is not supported');
      return undefined;
    default:
      return undefined;
  }
}

const PRINCIPAL_KINDS = [
  'and_ids', 'or_ids', 'any', 'authenticated', 'source_ip', 'direct_remote_ip', 'remote_ip', 'header', 'url_path',
  'metadata', 'filter_state', 'not_id',
] as const;

export function decodePrincipal(m: Message): RbacPrincipal | undefined {
  const kind = m.oneof(PRINCIPAL_KINDS, { required: true });
  switch (kind) {
    case 'any':
      if (!m.bool('any', false)) m.error('any', 'must be true');
      return { kind: 'any' };
    case 'and_ids':
    case 'or_ids': {
      const ids = m.message(kind)?.messages('ids', { minItems: 1 }).map(decodePrincipal) ?? [];
      if (ids.some((r) => r === undefined)) return undefined;
      return { kind: kind === 'and_ids' ? 'and' : 'or', ids: ids as RbacPrincipal[] };
    }
    case 'not_id':
      return nested(m, kind, decodePrincipal, (id) => ({ kind: 'not', id }));
    case 'authenticated': {
      const a = m.message('authenticated');
      const pn = a?.message('principal_name');
      if (pn === undefined) return { kind: 'authenticated' };
      const principalName = decodeStringMatcher(pn);
      return principalName ? { kind: 'authenticated', principalName } : undefined;
    }
    case 'source_ip':
    case 'direct_remote_ip':
    case 'remote_ip':
      return nested(m, kind, decodeCidr, (cidr) => ({ kind: kind === 'remote_ip' ? 'remoteIp' : 'directRemoteIp', cidr }));
    case 'header':
    case 'url_path':
    case 'metadata':
      return decodeRequestMatch(m, kind);
    case 'filter_state':
      m.error('filter_state', 'is not supported');
      return undefined;
    default:
      return undefined;
  }
}

function decodePolicy(name: string, m: Message): RbacPolicy | undefined {
  m.unsupported(['condition', 'checked_condition'], 'CEL conditions are not supported');
  const permissions = m.messages('permissions', { minItems: 1 }).map(decodePermission);
  const principals = m.messages('principals', { minItems: 1 }).map(decodePrincipal);
  if (permissions.some((p) => p === undefined) || principals.some((p) => p === undefined)) return undefined;
  return { name, permissions: permissions as RbacPermission[], principals: principals as RbacPrincipal[] };
}

/** Reads a `config.rbac.v3.RBAC` (action and policies). */
export function decodeRbacRules(m: Message): RbacRules {
  m.unsupported(['audit_logging_options']);
  const action = m.enumOf('action', ['ALLOW', 'DENY', 'LOG'] as const, 'ALLOW');
  const policies: RbacPolicy[] = [];
  for (const [name, p] of m.entries('policies').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const policy = decodePolicy(name, p);
    if (policy) policies.push(policy);
  }
  return { action, policies };
}

/** Reads the RBAC filter config (the fields after `@type`). */
export function decodeRbac(m: Message): RbacConfig {
  m.unsupported(['matcher', 'shadow_matcher'], 'the matcher tree form is not supported (use rules)');
  const r = m.message('rules');
  const s = m.message('shadow_rules');
  return {
    ...(r ? { rules: decodeRbacRules(r) } : {}),
    ...(s ? { shadowRules: decodeRbacRules(s) } : {}),
    rulesStatPrefix: m.string('rules_stat_prefix') ?? '',
  };
}
