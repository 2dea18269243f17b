/**
 * AuthorizationPolicy evaluation for one workload, as Istio defines it:
 * - CUSTOM (external authorizers) is out of scope and refused at compile time;
 * - DENY policies are evaluated first: any match denies;
 * - then, if no ALLOW policy applies, the request is allowed; otherwise it is
 *   allowed only if some ALLOW policy matches (an ALLOW policy without rules
 *   matches nothing: alone, it denies everything);
 * - AUDIT policies never change the decision; the matching ones are reported.
 * A rule matches when all of its `from`, `to` and `when` parts do; within
 * `from` / `to` any entry may match; within a Source / Operation every set field
 * must match (one of its values) and no value of a `not*` field may match.
 * Values use Istio's forms: exact, `prefix*`, `*suffix`, `*` (present).
 *
 * On a TCP connection (no HTTP), ALLOW rules naming HTTP-only fields (hosts,
 * methods, paths, requestPrincipals, request.* conditions) never match, and
 * DENY / AUDIT rules are evaluated without those fields — both fail closed.
 *
 * Compilation does all parsing up front; `evaluate` only runs closures over
 * plain request attributes.
 */
import type { AuthorizationAction, AuthorizationPolicySpec, Condition, Operation, Rule, Source } from '../../constructs/api/authorization-policy';
import { Result, fail, ok } from '../xds/resources/result';
import { addressMatcher } from './cidr';
import { PolicyObject, PolicyScopeOptions, Workload, policiesFor, policyKey } from './policy-object';
import type { RequestAttributes } from './request-attributes';
import { ValueMatcher, anyValueMatcher } from './value-match';

/** Status and body Envoy's RBAC filter answers a denied request with. */
export const RBAC_DENIED_STATUS = 403;
export const RBAC_DENIED_BODY = 'RBAC: access denied';

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /**
   * `<ns>/<name>` of the deciding policy: the DENY policy that matched, or the
   * ALLOW policy that matched. Absent when no policy applies, and when ALLOW
   * policies apply but none matched (then `action` is 'ALLOW').
   */
  readonly policy: string | undefined;
  /** Action of the deciding step: 'DENY' (a DENY matched), 'ALLOW' (ALLOW policies were consulted), undefined (none apply). */
  readonly action: 'ALLOW' | 'DENY' | undefined;
  /** AUDIT policies that matched. */
  readonly audited: readonly string[];
}

/** Request data after the few derivations every rule may need. */
interface View {
  readonly a: RequestAttributes;
  readonly tcp: boolean;
  readonly path: string | undefined;
  readonly sourceNamespace: string | undefined;
  readonly remoteIp: string | undefined;
}

type Test = (v: View) => boolean;

interface CompiledPolicy {
  readonly key: string;
  readonly action: Exclude<AuthorizationAction, 'CUSTOM'>;
  /** Whether the request matches any rule. */
  readonly matches: Test;
}

const NONE: readonly string[] = Object.freeze([]);

/** One Source/Operation field: its values (any), its `not` values (none), and whether it is HTTP-only. */
interface FieldSpec {
  readonly name: string;
  readonly http: boolean;
  readonly kind: 'string' | 'host' | 'cidr' | 'port';
  readonly get: (v: View) => string | undefined;
}

const SOURCE_FIELDS: readonly (readonly [keyof Source, keyof Source, FieldSpec])[] = [
  ['principals', 'notPrincipals', { name: 'principals', http: false, kind: 'string', get: (v) => v.a.sourcePrincipal }],
  ['requestPrincipals', 'notRequestPrincipals', { name: 'requestPrincipals', http: true, kind: 'string', get: (v) => v.a.auth?.principal }],
  ['namespaces', 'notNamespaces', { name: 'namespaces', http: false, kind: 'string', get: (v) => v.sourceNamespace }],
  ['ipBlocks', 'notIpBlocks', { name: 'ipBlocks', http: false, kind: 'cidr', get: (v) => v.a.sourceIp }],
  ['remoteIpBlocks', 'notRemoteIpBlocks', { name: 'remoteIpBlocks', http: false, kind: 'cidr', get: (v) => v.remoteIp }],
];

const OPERATION_FIELDS: readonly (readonly [keyof Operation, keyof Operation, FieldSpec])[] = [
  ['hosts', 'notHosts', { name: 'hosts', http: true, kind: 'host', get: (v) => v.a.host }],
  ['ports', 'notPorts', { name: 'ports', http: false, kind: 'port', get: (v) => (v.a.destinationPort === undefined ? undefined : String(v.a.destinationPort)) }],
  ['methods', 'notMethods', { name: 'methods', http: true, kind: 'string', get: (v) => v.a.method }],
  ['paths', 'notPaths', { name: 'paths', http: true, kind: 'string', get: (v) => v.path }],
];

/** A piece of a rule: a test, and whether it concerns HTTP only. */
interface Part {
  readonly http: boolean;
  readonly test: Test;
}

class Compiler {
  readonly errors: string[] = [];

  constructor(private readonly where: string) {}

  error(path: string, message: string): void {
    this.errors.push(`${this.where}: ${path}: ${message}`);
  }

  /** A matcher for a list of values of one kind. */
  values(path: string, kind: FieldSpec['kind'], values: readonly string[]): ValueMatcher {
    switch (kind) {
      case 'cidr': {
        const { matcher, invalid } = addressMatcher(values);
        for (const bad of invalid) this.error(`${path}[${values.indexOf(bad)}]`, `expected an IP address or CIDR such as '10.0.0.0/8' (got '${bad}')`);
        return matcher;
      }
      case 'port': {
        values.forEach((p, i) => {
          if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) this.error(`${path}[${i}]`, `expected a port number 1-65535 (got '${p}')`);
        });
        const set = new Set(values.map((p) => String(Number(p))));
        return (v) => v !== undefined && set.has(v);
      }
      case 'host':
        return anyValueMatcher(values, true);
      default:
        return anyValueMatcher(values);
    }
  }

  /** Parts of a Source or Operation: one per set field. */
  fields<T extends object>(path: string, entry: T, specs: readonly (readonly [keyof T, keyof T, FieldSpec])[]): Part[] {
    const parts: Part[] = [];
    for (const [field, notField, spec] of specs) {
      const values = entry[field] as readonly string[] | undefined;
      const notValues = entry[notField] as readonly string[] | undefined;
      if (values !== undefined && values.length > 0) {
        const m = this.values(`${path}.${String(field)}`, spec.kind, values);
        parts.push({ http: spec.http, test: (v) => m(spec.get(v)) });
      }
      if (notValues !== undefined && notValues.length > 0) {
        const m = this.values(`${path}.${String(notField)}`, spec.kind, notValues);
        parts.push({ http: spec.http, test: (v) => !m(spec.get(v)) });
      }
    }
    return parts;
  }

  /** A `when` condition. */
  condition(path: string, c: Condition): Part | undefined {
    if ((c.values === undefined || c.values.length === 0) && (c.notValues === undefined || c.notValues.length === 0)) {
      this.error(path, `expected values or notValues for key '${c.key}'`);
      return undefined;
    }
    const attr = this.attribute(`${path}.key`, c.key);
    if (!attr) return undefined;
    const pos = c.values && c.values.length > 0 ? this.values(`${path}.values`, attr.kind, c.values) : undefined;
    const neg = c.notValues && c.notValues.length > 0 ? this.values(`${path}.notValues`, attr.kind, c.notValues) : undefined;
    const get = attr.get;
    const one = (m: ValueMatcher, v: View): boolean => get(v).some((x) => m(x));
    return {
      http: attr.http,
      test: (v) => (pos === undefined || one(pos, v)) && (neg === undefined || !one(neg, v)),
    };
  }

  /** The request attribute a `when` key names. */
  attribute(path: string, key: string): { http: boolean; kind: FieldSpec['kind']; get: (v: View) => readonly (string | undefined)[] } | undefined {
    const single = (f: (v: View) => string | undefined) => (v: View): readonly (string | undefined)[] => [f(v)];
    switch (key) {
      case 'source.ip':
        return { http: false, kind: 'cidr', get: single((v) => v.a.sourceIp) };
      case 'remote.ip':
        return { http: false, kind: 'cidr', get: single((v) => v.remoteIp) };
      case 'destination.ip':
        return { http: false, kind: 'cidr', get: single((v) => v.a.destinationIp) };
      case 'destination.port':
        return { http: false, kind: 'port', get: single((v) => (v.a.destinationPort === undefined ? undefined : String(v.a.destinationPort))) };
      case 'source.namespace':
        return { http: false, kind: 'string', get: single((v) => v.sourceNamespace) };
      case 'source.principal':
        return { http: false, kind: 'string', get: single((v) => v.a.sourcePrincipal) };
      case 'connection.sni':
        return { http: false, kind: 'string', get: single((v) => v.a.sni) };
      case 'request.auth.principal':
        return { http: true, kind: 'string', get: single((v) => v.a.auth?.principal) };
      case 'request.auth.presenter':
        return { http: true, kind: 'string', get: single((v) => v.a.auth?.presenter) };
      case 'request.auth.audiences':
        return { http: true, kind: 'string', get: (v) => v.a.auth?.audiences ?? NONE };
      default:
        break;
    }
    const header = /^request\.headers\[([^\]]+)\]$/.exec(key);
    if (header) {
      const name = header[1].toLowerCase();
      return {
        http: true,
        kind: 'string',
        get: (v) => {
          const h = v.a.headers?.[name];
          if (h === undefined) return NONE;
          if (typeof h === 'string') return [h];
          // Several values: each alone, and joined as Envoy's header matcher sees them.
          return h.length > 1 ? [...h, h.join(',')] : h;
        },
      };
    }
    const claims = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(key);
    if (claims) {
      const segments = [...claims[1].matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
      return { http: true, kind: 'string', get: (v) => claimValues(v.a.auth?.claims, segments) };
    }
    this.error(path, `unsupported key '${key}' (expected request.headers[<name>], source.ip, remote.ip, source.namespace, source.principal, `
      + 'request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[<name>]..., destination.ip, destination.port or connection.sni)');
    return undefined;
  }

  /** A rule as two tests: for HTTP requests, and for TCP connections under `action`. */
  rule(path: string, rule: Rule, action: CompiledPolicy['action']): { http: Test; tcp: Test } {
    // Each group: the parts of every alternative (from entries, to entries), or undefined when the group is absent.
    const froms = rule.from?.map((f, i) => this.fields(`${path}.from[${i}].source`, f.source ?? {}, SOURCE_FIELDS));
    const tos = rule.to?.map((t, i) => this.fields(`${path}.to[${i}].operation`, t.operation ?? {}, OPERATION_FIELDS));
    const whens = (rule.when ?? []).map((c, i) => this.condition(`${path}.when[${i}]`, c)).filter((p): p is Part => p !== undefined);
    const usesHttp = [...(froms ?? []).flat(), ...(tos ?? []).flat(), ...whens].some((p) => p.http);
    const build = (skipHttp: boolean): Test => {
      const keep = (parts: readonly Part[]): Test[] => parts.filter((p) => !(skipHttp && p.http)).map((p) => p.test);
      const group = (alternatives: readonly (readonly Part[])[] | undefined): Test | undefined => {
        // An empty list is an unset field in proto3.
        if (alternatives === undefined || alternatives.length === 0) return undefined;
        const alts = alternatives.map(keep);
        return (v) => alts.some((tests) => tests.every((t) => t(v)));
      };
      const tests = [group(froms), group(tos), ...keep(whens)].filter((t): t is Test => t !== undefined);
      return (v) => tests.every((t) => t(v));
    };
    const http = build(false);
    const tcp = action === 'ALLOW' && usesHttp ? (): boolean => false : build(true);
    return { http, tcp };
  }
}

function claimValues(claims: Readonly<Record<string, unknown>> | undefined, segments: readonly string[]): readonly string[] {
  let node: unknown = claims;
  for (const s of segments) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return NONE;
    node = (node as Record<string, unknown>)[s];
  }
  const scalar = (x: unknown): string | undefined => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);
  if (Array.isArray(node)) return node.map(scalar).filter((x): x is string => x !== undefined);
  const s = scalar(node);
  return s === undefined ? NONE : [s];
}

function compilePolicy(policy: PolicyObject<AuthorizationPolicySpec>, errors: string[]): CompiledPolicy | undefined {
  const key = policyKey(policy);
  const compiler = new Compiler(`AuthorizationPolicy ${key}`);
  const action = policy.spec.action ?? 'ALLOW';
  if (action === 'CUSTOM') {
    compiler.error('spec.action', `CUSTOM is not supported (external authorizers are out of scope${policy.spec.provider ? `; provider '${policy.spec.provider.name}'` : ''}); expected ALLOW, DENY or AUDIT`);
    errors.push(...compiler.errors);
    return undefined;
  }
  const rules = (policy.spec.rules ?? []).map((r, i) => compiler.rule(`spec.rules[${i}]`, r, action));
  errors.push(...compiler.errors);
  if (compiler.errors.length > 0) return undefined;
  const httpTests = rules.map((r) => r.http);
  const tcpTests = rules.map((r) => r.tcp);
  return {
    key,
    action,
    matches: (v) => (v.tcp ? tcpTests : httpTests).some((t) => t(v)),
  };
}

function namespaceOfPrincipal(principal: string | undefined): string | undefined {
  if (principal === undefined) return undefined;
  const m = /\/ns\/([^/]+)\/sa\//.exec(principal);
  return m?.[1];
}

/** The AuthorizationPolicies of one workload, compiled. */
export class AuthorizationEvaluator {
  /**
   * Compiles every policy applying to `workload` (its namespace and the root
   * namespace, selector matching). Fails — naming policy, field and value — on
   * CUSTOM policies and on invalid values (CIDRs, ports, condition keys):
   * dropping a policy silently could open access.
   * Without `workload`, `policies` are taken as already selected.
   */
  static compile(
    policies: readonly PolicyObject<AuthorizationPolicySpec>[],
    workload?: Workload,
    options: PolicyScopeOptions = {},
  ): Result<AuthorizationEvaluator> {
    const selected = workload ? policiesFor(policies, workload, options) : [...policies];
    const errors: string[] = [];
    const compiled = selected.map((p) => compilePolicy(p, errors)).filter((p): p is CompiledPolicy => p !== undefined);
    return errors.length > 0 ? fail(errors) : ok(new AuthorizationEvaluator(compiled));
  }

  private readonly deny: readonly CompiledPolicy[];
  private readonly allow: readonly CompiledPolicy[];
  private readonly audit: readonly CompiledPolicy[];

  private constructor(compiled: readonly CompiledPolicy[]) {
    this.deny = compiled.filter((p) => p.action === 'DENY');
    this.allow = compiled.filter((p) => p.action === 'ALLOW');
    this.audit = compiled.filter((p) => p.action === 'AUDIT');
  }

  /** `<ns>/<name>` of the policies in force, by action. */
  get policies(): { readonly allow: readonly string[]; readonly deny: readonly string[]; readonly audit: readonly string[] } {
    return { allow: this.allow.map((p) => p.key), deny: this.deny.map((p) => p.key), audit: this.audit.map((p) => p.key) };
  }

  /** Whether the workload has any policy at all (if not, every request is allowed). */
  get isEmpty(): boolean {
    return this.deny.length + this.allow.length + this.audit.length === 0;
  }

  evaluate(attributes: RequestAttributes): AuthorizationDecision {
    const path = attributes.path;
    const cut = path === undefined ? -1 : path.search(/[?#]/);
    const view: View = {
      a: attributes,
      tcp: attributes.protocol === 'tcp',
      path: cut < 0 ? path : path?.slice(0, cut),
      sourceNamespace: attributes.sourceNamespace ?? namespaceOfPrincipal(attributes.sourcePrincipal),
      remoteIp: attributes.remoteIp ?? attributes.sourceIp,
    };
    let audited = NONE;
    if (this.audit.length > 0) {
      const hits = this.audit.filter((p) => p.matches(view)).map((p) => p.key);
      if (hits.length > 0) audited = hits;
    }
    for (const p of this.deny) {
      if (p.matches(view)) return { allowed: false, policy: p.key, action: 'DENY', audited };
    }
    if (this.allow.length === 0) return { allowed: true, policy: undefined, action: undefined, audited };
    for (const p of this.allow) {
      if (p.matches(view)) return { allowed: true, policy: p.key, action: 'ALLOW', audited };
    }
    return { allowed: false, policy: undefined, action: 'ALLOW', audited };
  }
}

/** Compiles and throws on errors (for callers that treat invalid policy as fatal). */
export function compileAuthorization(
  policies: readonly PolicyObject<AuthorizationPolicySpec>[],
  workload?: Workload,
  options: PolicyScopeOptions = {},
): AuthorizationEvaluator {
  const result = AuthorizationEvaluator.compile(policies, workload, options);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}
