/**
 * The HTTP filters that run before the router, in the connection manager's
 * order: jwt_authn (asynchronous: keys may be fetched, jose verifies with
 * WebCrypto) and RBAC (synchronous). A connection manager without them gets no
 * chain at all (`compile` returns null), so plain listeners pay nothing.
 * Verdicts: continue (with request header edits from jwt_authn), or a local
 * answer — 401 `Jwt verification fails`-style messages from jwt_authn, 403
 * `RBAC: access denied` from RBAC — with Envoy's response code details.
 * Counters follow Envoy's names (`rbac.allowed`, `rbac.denied`, `rbac.shadow_*`,
 * `jwt_authn.allowed`, `jwt_authn.denied`) plus denials per matched policy.
 */
import type { HttpFilter } from '../../xds/resources';
import { FlatHeadersRequest, HeaderOp } from '../routing';
import type { RequestHead } from '../http';
import { JwtAuthnFilter } from './jwt-authn';
import { RbacFilter } from './rbac';
import type { DynamicMetadata, FilterRequest } from './request-context';

/** A local answer of a filter (the data plane's delayed-local-response shape). */
export interface FilterResponse {
  readonly status: number;
  readonly body: string;
  /** Flat `[name, value, ...]`. */
  readonly headers: readonly string[];
  readonly flags: number;
  readonly details: string;
}

export type FilterVerdict =
  | { readonly kind: 'continue'; readonly headerOps: readonly HeaderOp[] }
  | { readonly kind: 'deny'; readonly response: FilterResponse };

/** Where the listener is: what RBAC's destination matchers see. */
export interface ListenerFacts {
  readonly destinationIp: string;
  readonly destinationPort: number;
}

export const RBAC_DENIED_BODY = 'RBAC: access denied';
const NO_OPS: readonly HeaderOp[] = Object.freeze([]);
const CONTINUE: FilterVerdict = Object.freeze({ kind: 'continue', headerOps: NO_OPS });

type Step = { readonly kind: 'rbac'; readonly filter: RbacFilter } | { readonly kind: 'jwt'; readonly filter: JwtAuthnFilter };

export class FilterStats {
  rbacAllowed = 0;
  rbacDenied = 0;
  shadowAllowed = 0;
  shadowDenied = 0;
  jwtAllowed = 0;
  jwtDenied = 0;
  /** Denials by the policy that decided (`none` when an ALLOW filter matched nothing). */
  readonly deniedByPolicy = new Map<string, number>();

  /** Adds these counters to an Envoy-style stats map under `http.<statPrefix>.`. */
  addTo(out: Record<string, number>, statPrefix: string): void {
    const add = (k: string, v: number): void => {
      out[`http.${statPrefix}.${k}`] = (out[`http.${statPrefix}.${k}`] ?? 0) + v;
    };
    add('rbac.allowed', this.rbacAllowed);
    add('rbac.denied', this.rbacDenied);
    if (this.shadowAllowed + this.shadowDenied > 0) {
      add('rbac.shadow_allowed', this.shadowAllowed);
      add('rbac.shadow_denied', this.shadowDenied);
    }
    add('jwt_authn.allowed', this.jwtAllowed);
    add('jwt_authn.denied', this.jwtDenied);
    for (const [policy, n] of this.deniedByPolicy) add(`rbac.policy.${policy}.denied`, n);
  }
}

function headerMap(flat: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function rbacDenied(policy: string | undefined): FilterVerdict {
  return {
    kind: 'deny',
    response: {
      status: 403, body: RBAC_DENIED_BODY, headers: [], flags: 0,
      details: `rbac_access_denied_matched_policy[${policy ?? 'none'}]`,
    },
  };
}

function jwtDenied(message: string, head: RequestHead): FilterVerdict {
  const realm = `http://${head.authority}${head.path.split('?')[0] ?? ''}`;
  return {
    kind: 'deny',
    response: {
      status: 401, body: message,
      headers: ['www-authenticate', `Bearer realm="${realm}", error="invalid_token"`],
      flags: 0, details: `jwt_authn_access_denied{${message.replace(/[^A-Za-z0-9]+/g, '_')}}`,
    },
  };
}

export class HttpFilterChain {
  /** The chain of a connection manager's filters, or null when it has no security filter (disabled ones are skipped). */
  static compile(filters: readonly HttpFilter[], facts: ListenerFacts): HttpFilterChain | null {
    const steps: Step[] = [];
    for (const f of filters) {
      if (f.disabled) continue;
      if (f.kind === 'rbac') steps.push({ kind: 'rbac', filter: RbacFilter.compile(f.name, f.config) });
      else if (f.kind === 'jwtAuthn') steps.push({ kind: 'jwt', filter: JwtAuthnFilter.compile(f.name, f.config) });
    }
    return steps.length === 0 ? null : new HttpFilterChain(steps, facts);
  }

  /** A chain that answers every request 500 (a filter config the proxy cannot use: fail closed). */
  static refusing(why: string): HttpFilterChain {
    const chain = new HttpFilterChain([], { destinationIp: '', destinationPort: 0 });
    chain.refusal = { kind: 'deny', response: { status: 500, body: 'filter configuration error', headers: [], flags: 0, details: `filter_config_error{${why.replace(/[^A-Za-z0-9]+/g, '_')}}` } };
    return chain;
  }

  readonly stats = new FilterStats();
  private refusal: FilterVerdict | null = null;

  private constructor(private readonly steps: readonly Step[], private readonly facts: ListenerFacts) {}

  /** Runs the filters: synchronously when no JWT verification is needed. */
  run(head: RequestHead): FilterVerdict | Promise<FilterVerdict> {
    if (this.refusal !== null) return this.refusal;
    const request = new FlatHeadersRequest({ method: head.method, path: head.path, authority: head.authority, sourceIp: head.remoteAddress, headers: head.headers });
    const ctx: FilterRequest & { metadata: DynamicMetadata } = {
      request,
      directRemoteIp: head.remoteAddress,
      remoteIp: head.remoteAddress,
      destinationIp: this.facts.destinationIp,
      destinationPort: this.facts.destinationPort,
      peerPrincipal: head.peerPrincipal,
      metadata: {},
    };
    return this.from(0, head, ctx, NO_OPS);
  }

  private from(start: number, head: RequestHead, ctx: FilterRequest & { metadata: DynamicMetadata }, ops: readonly HeaderOp[]): FilterVerdict | Promise<FilterVerdict> {
    for (let i = start; i < this.steps.length; i++) {
      const step = this.steps[i] as Step;
      if (step.kind === 'jwt') return this.jwt(step.filter, i, head, ctx, ops);
      const denial = this.rbac(step.filter, ctx);
      if (denial !== null) return denial;
    }
    return ops.length === 0 ? CONTINUE : { kind: 'continue', headerOps: ops };
  }

  private async jwt(filter: JwtAuthnFilter, at: number, head: RequestHead, ctx: FilterRequest & { metadata: DynamicMetadata }, ops: readonly HeaderOp[]): Promise<FilterVerdict> {
    let verdict;
    try {
      verdict = await filter.verify(ctx.request, headerMap(head.headers));
    } catch (e) {
      verdict = { ok: false as const, message: `Jwks remote fetch is failed (${e instanceof Error ? e.message : String(e)})` };
    }
    if (!verdict.ok) {
      this.stats.jwtDenied++;
      return jwtDenied(verdict.message, head);
    }
    this.stats.jwtAllowed++;
    Object.assign(ctx.metadata, verdict.metadata);
    return this.from(at + 1, head, ctx, verdict.headerOps.length > 0 ? [...ops, ...verdict.headerOps] : ops);
  }

  /** Null when the request passes this RBAC filter. */
  private rbac(filter: RbacFilter, ctx: FilterRequest): FilterVerdict | null {
    if (filter.shadow !== undefined) {
      if (filter.shadow.evaluate(ctx).allowed) this.stats.shadowAllowed++;
      else this.stats.shadowDenied++;
    }
    const engine = filter.engine;
    if (engine === undefined) return null;
    const d = engine.evaluate(ctx);
    if (d.allowed) {
      this.stats.rbacAllowed++;
      return null;
    }
    this.stats.rbacDenied++;
    const key = d.policy ?? 'none';
    this.stats.deniedByPolicy.set(key, (this.stats.deniedByPolicy.get(key) ?? 0) + 1);
    return rbacDenied(d.policy);
  }
}
