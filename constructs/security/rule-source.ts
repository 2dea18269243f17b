import type { Source as SourceSpec } from '../api/authorization-policy';

/** Anything `AccessRule.from()` accepts: a principal or another source condition. */
export interface IRuleSource {
  /** @internal The fields this condition sets in Istio's `Source`. */
  _renderSource(): Partial<SourceSpec>;
  /** @internal Problems, each starting with a field name. */
  _validate(): string[];
}

/** Istio's default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/**
 * A peer identity (from mutual TLS), rendered as Istio's
 * `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`.
 */
export abstract class Principal implements IRuleSource {
  /** The workloads running as service account `serviceAccount` of `namespace`. */
  public static serviceAccount(namespace: string, serviceAccount: string, options: { readonly trustDomain?: string } = {}): Principal {
    const td = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    return new PrincipalImpl('principals', [`${td}/ns/${namespace}/sa/${serviceAccount}`], [namespace, serviceAccount, td]);
  }

  /** Any authenticated peer (`*`). */
  public static anyAuthenticated(): Principal {
    return new PrincipalImpl('principals', ['*'], []);
  }

  /** Any peer except the given service account. */
  public static notServiceAccount(namespace: string, serviceAccount: string, options: { readonly trustDomain?: string } = {}): Principal {
    const td = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    return new PrincipalImpl('notPrincipals', [`${td}/ns/${namespace}/sa/${serviceAccount}`], [namespace, serviceAccount, td]);
  }

  /** A principal string as Istio writes it (prefix/suffix `*` allowed). */
  public static of(principal: string): Principal {
    return new PrincipalImpl('principals', [principal], []);
  }

  /** @internal */
  public abstract _renderSource(): Partial<SourceSpec>;
  /** @internal */
  public abstract _validate(): string[];
}

class PrincipalImpl extends Principal {
  constructor(
    private readonly field: 'principals' | 'notPrincipals',
    private readonly values: string[],
    private readonly parts: string[],
  ) {
    super();
  }

  public _renderSource(): Partial<SourceSpec> {
    return { [this.field]: [...this.values] };
  }

  public _validate(): string[] {
    const problems: string[] = [];
    for (const p of this.parts) {
      if (p.length === 0 || p.includes('/')) {
        problems.push(`${this.field}: namespace, service account and trust domain must be non-empty and without '/' (got ${JSON.stringify(p)})`);
      }
    }
    for (const v of this.values) {
      if (v.length === 0) {
        problems.push(`${this.field} must not be empty`);
      }
    }
    return problems;
  }
}

/** Where a request comes from, other than a peer identity: namespaces, IP blocks, JWT principals. */
export abstract class Source implements IRuleSource {
  /** Peers in one of `namespaces` (needs mTLS). */
  public static namespace(...namespaces: string[]): Source {
    return new SourceImpl('namespaces', namespaces);
  }

  /** Peers outside `namespaces`. */
  public static notNamespace(...namespaces: string[]): Source {
    return new SourceImpl('notNamespaces', namespaces);
  }

  /** Connections from these IPs or CIDRs. */
  public static ipBlock(...cidrs: string[]): Source {
    return new SourceImpl('ipBlocks', cidrs);
  }

  /** Connections not from these IPs or CIDRs. */
  public static notIpBlock(...cidrs: string[]): Source {
    return new SourceImpl('notIpBlocks', cidrs);
  }

  /** Original clients (X-Forwarded-For / PROXY protocol) from these IPs or CIDRs. */
  public static remoteIpBlock(...cidrs: string[]): Source {
    return new SourceImpl('remoteIpBlocks', cidrs);
  }

  /** Requests carrying a valid JWT from `<issuer>/<subject>` (`*` for any valid token). */
  public static requestPrincipal(...principals: string[]): Source {
    return new SourceImpl('requestPrincipals', principals);
  }

  /** Requests without a JWT from these principals (`*`: requests without any valid token). */
  public static notRequestPrincipal(...principals: string[]): Source {
    return new SourceImpl('notRequestPrincipals', principals);
  }

  /** @internal */
  public abstract _renderSource(): Partial<SourceSpec>;
  /** @internal */
  public abstract _validate(): string[];
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$|^[0-9a-fA-F:]+(\/\d{1,3})?$/;

class SourceImpl extends Source {
  constructor(private readonly field: keyof SourceSpec, private readonly values: string[]) {
    super();
  }

  public _renderSource(): Partial<SourceSpec> {
    return { [this.field]: [...this.values] };
  }

  public _validate(): string[] {
    const problems: string[] = [];
    if (this.values.length === 0) {
      problems.push(`${this.field} must list at least one value (got none)`);
    }
    for (const v of this.values) {
      if (v.length === 0) {
        problems.push(`${this.field} must not hold empty strings`);
      } else if (/ipblocks/i.test(this.field) && !CIDR.test(v)) {
        problems.push(`${this.field} must hold IP addresses or CIDRs (got ${JSON.stringify(v)})`);
      }
    }
    return problems;
  }
}
