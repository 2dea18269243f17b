/**
 * Envoy's RBAC filter over the decoded config ({@link RbacConfig}): a policy
 * matches when any of its permissions and any of its principals match; with
 * action ALLOW a request is allowed only if some policy matches, with DENY it
 * is denied if some policy matches, LOG never denies. The first matching
 * policy in name order is reported (Envoy's `rbac_access_denied_matched_policy[...]`).
 * Everything is compiled to closures once per config; a request only runs them.
 */
import type {
  CidrRange, MetadataMatcher, MetadataValueMatcher, RbacConfig, RbacPermission, RbacPrincipal, RbacRules, StringMatcher,
} from '../../xds/resources';
import { matchString } from '../../xds/resources';
import { compileHeaderMatcher, pathOnly } from '../routing';
import { addressMatcher } from '../../security/cidr';
import type { FilterRequest } from './request-context';

type Test = (r: FilterRequest) => boolean;

export interface RbacDecision {
  readonly allowed: boolean;
  /** The matching policy (the denying one for DENY, the allowing one for ALLOW); undefined when none matched. */
  readonly policy: string | undefined;
}

function cidrTest(cidr: CidrRange, get: (r: FilterRequest) => string): Test {
  const { matcher } = addressMatcher([`${cidr.address}/${cidr.prefixLength}`]);
  return (r) => matcher(get(r));
}

function stringTest(m: StringMatcher, get: (r: FilterRequest) => string | undefined): Test {
  return (r) => {
    const v = get(r);
    return v !== undefined && matchString(m, v);
  };
}

/** A metadata value matcher over a JSON value (undefined: absent). */
function valueMatches(m: MetadataValueMatcher, v: unknown): boolean {
  switch (m.kind) {
    case 'present':
      return (v !== undefined) === m.present;
    case 'null':
      return v === null;
    case 'bool':
      return v === m.value;
    case 'string':
      return typeof v === 'string' && matchString(m.matcher, v);
    case 'listOneOf':
      return Array.isArray(v) && v.some((x) => valueMatches(m.matcher, x));
    case 'or':
      return m.matchers.some((x) => valueMatches(x, v));
  }
}

function metadataTest(m: MetadataMatcher): Test {
  return (r) => {
    let node: unknown = r.metadata[m.filter];
    for (const key of m.path) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) {
        node = undefined;
        break;
      }
      node = (node as Record<string, unknown>)[key];
    }
    return valueMatches(m.value, node) !== m.invert;
  };
}

function headerTest(m: Parameters<typeof compileHeaderMatcher>[0]): Test {
  const t = compileHeaderMatcher(m);
  return (r) => t(r.request);
}

const urlPath = (r: FilterRequest): string => pathOnly(r.request.path);

export function compilePermission(p: RbacPermission): Test {
  switch (p.kind) {
    case 'any':
      return () => true;
    case 'and': {
      const ts = p.rules.map(compilePermission);
      return (r) => ts.every((t) => t(r));
    }
    case 'or': {
      const ts = p.rules.map(compilePermission);
      return (r) => ts.some((t) => t(r));
    }
    case 'not': {
      const t = compilePermission(p.rule);
      return (r) => !t(r);
    }
    case 'header':
      return headerTest(p.matcher);
    case 'urlPath':
      return stringTest(p.matcher, urlPath);
    case 'destinationIp':
      return cidrTest(p.cidr, (r) => r.destinationIp);
    case 'destinationPort':
      return (r) => r.destinationPort === p.port;
    case 'destinationPortRange':
      return (r) => r.destinationPort >= p.start && r.destinationPort < p.end;
    case 'metadata':
      return metadataTest(p.matcher);
    case 'requestedServerName':
      return stringTest(p.matcher, (r) => r.sni ?? '');
  }
}

export function compilePrincipal(p: RbacPrincipal): Test {
  switch (p.kind) {
    case 'any':
      return () => true;
    case 'and': {
      const ts = p.ids.map(compilePrincipal);
      return (r) => ts.every((t) => t(r));
    }
    case 'or': {
      const ts = p.ids.map(compilePrincipal);
      return (r) => ts.some((t) => t(r));
    }
    case 'not': {
      const t = compilePrincipal(p.id);
      return (r) => !t(r);
    }
    case 'authenticated': {
      const m = p.principalName;
      // Without a matcher: any peer with a certificate.
      return m === undefined ? (r) => r.peerPrincipal !== undefined : stringTest(m, (r) => r.peerPrincipal);
    }
    case 'directRemoteIp':
      return cidrTest(p.cidr, (r) => r.directRemoteIp);
    case 'remoteIp':
      return cidrTest(p.cidr, (r) => r.remoteIp);
    case 'header':
      return headerTest(p.matcher);
    case 'urlPath':
      return stringTest(p.matcher, urlPath);
    case 'metadata':
      return metadataTest(p.matcher);
  }
}

interface CompiledPolicy {
  readonly name: string;
  readonly matches: Test;
}

/** One RBAC rule set, compiled. */
export class RbacEngine {
  static compile(rules: RbacRules): RbacEngine {
    return new RbacEngine(rules.action, rules.policies.map((p) => {
      const perms = p.permissions.map(compilePermission);
      const ids = p.principals.map(compilePrincipal);
      return { name: p.name, matches: (r: FilterRequest) => perms.some((t) => t(r)) && ids.some((t) => t(r)) };
    }));
  }

  private constructor(readonly action: RbacRules['action'], private readonly policies: readonly CompiledPolicy[]) {}

  /** The first matching policy's name, or undefined. */
  matchingPolicy(r: FilterRequest): string | undefined {
    for (const p of this.policies) if (p.matches(r)) return p.name;
    return undefined;
  }

  evaluate(r: FilterRequest): RbacDecision {
    const policy = this.matchingPolicy(r);
    switch (this.action) {
      case 'ALLOW':
        return { allowed: policy !== undefined, policy };
      case 'DENY':
        return { allowed: policy === undefined, policy };
      default:
        return { allowed: true, policy };
    }
  }
}

/** An RBAC filter: its enforced rules (absent: allow all) and its shadow rules (stats only). */
export class RbacFilter {
  static compile(name: string, config: RbacConfig): RbacFilter {
    return new RbacFilter(
      name,
      config.rules ? RbacEngine.compile(config.rules) : undefined,
      config.shadowRules ? RbacEngine.compile(config.shadowRules) : undefined,
      config.rulesStatPrefix,
    );
  }

  private constructor(
    readonly name: string,
    readonly engine: RbacEngine | undefined,
    readonly shadow: RbacEngine | undefined,
    readonly statPrefix: string,
  ) {}
}
