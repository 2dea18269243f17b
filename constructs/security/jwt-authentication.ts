import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { JWTRule, RequestAuthenticationSpec } from '../api/request-authentication';
import { RequestAuthentication } from '../istio';
import { PolicyScope } from './policy-scope';
import { compact } from '../traffic/private/checks';
import { pathOf } from '../traffic/private/emit';
import { defaultName } from './private/default-name';

/** A header a token is read from. */
export interface JwtHeader {
  /** Header name, e.g. `Authorization`. */
  readonly name: string;
  /** Prefix stripped before the token, e.g. `Bearer `. @default - none */
  readonly prefix?: string;
}

/** How tokens of one issuer are checked (Istio's `JWTRule`). Give `jwksUri` or `jwks`. */
export interface JwtIssuer {
  /** Issuer (`iss` claim). */
  readonly issuer: string;
  /** Accepted audiences (`aud`). @default - any audience */
  readonly audiences?: readonly string[];
  /** URL of the issuer's public keys (JWKS). @default - discovered from the issuer (OpenID) */
  readonly jwksUri?: string;
  /** The public keys inline, as a JWKS JSON string. @default - none */
  readonly jwks?: string;
  /** Headers the token is read from. @default [{ name: 'Authorization', prefix: 'Bearer ' }] */
  readonly fromHeaders?: readonly JwtHeader[];
  /** Query parameters the token is read from. @default ['access_token'] */
  readonly fromParams?: readonly string[];
  /** Keep the token in the forwarded request. @default false */
  readonly forwardOriginalToken?: boolean;
  /** Header receiving the verified payload (base64). @default - none */
  readonly outputPayloadToHeader?: string;
}

/** Props of `JwtAuthentication`. */
export interface JwtAuthenticationProps {
  /** Where the policy applies. */
  readonly scope: PolicyScope;
  /** Accepted issuers. More with `addIssuer`. @default - none */
  readonly issuers?: readonly JwtIssuer[];
  /** Name of the RequestAuthentication. @default - the construct id, lower-cased */
  readonly name?: string;
}

/**
 * Which end-user tokens (JWT) the workloads accept (Istio's RequestAuthentication).
 * Invalid tokens are rejected; requests WITHOUT a token still pass — pair it with an
 * `AccessPolicy` on `Source.requestPrincipal('*')` to require one.
 */
export class JwtAuthentication extends Construct {
  private readonly props: JwtAuthenticationProps;
  private readonly issuers: JwtIssuer[];

  constructor(scope: Construct, id: string, props: JwtAuthenticationProps) {
    super(scope, id);
    this.props = props;
    this.issuers = [...(props.issuers ?? [])];
    new RequestAuthentication(this, 'RequestAuthentication', {
      metadata: compact({ name: props.name ?? defaultName(this), namespace: props.scope.namespace }),
      spec: Lazy.any({ produce: () => this.render() }) as unknown as RequestAuthenticationSpec,
    });
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
  }

  /** Accepts tokens of one more issuer. */
  public addIssuer(issuer: JwtIssuer): this {
    this.issuers.push(issuer);
    return this;
  }

  private render(): RequestAuthenticationSpec {
    return compact({
      selector: this.props.scope._selector(),
      jwtRules: this.issuers.map((i) => compact({
        issuer: i.issuer,
        audiences: i.audiences ? [...i.audiences] : undefined,
        jwksUri: i.jwksUri,
        jwks: i.jwks,
        fromHeaders: i.fromHeaders ? i.fromHeaders.map((h) => compact({ name: h.name, prefix: h.prefix })) : undefined,
        fromParams: i.fromParams ? [...i.fromParams] : undefined,
        forwardOriginalToken: i.forwardOriginalToken,
        outputPayloadToHeader: i.outputPayloadToHeader,
      }) as JWTRule),
    }) as RequestAuthenticationSpec;
  }

  private validateIntent(): string[] {
    const problems = [...this.props.scope._validate()];
    if (this.issuers.length === 0) {
      problems.push('jwtRules must list at least one issuer (got none)');
    }
    const seen = new Set<string>();
    this.issuers.forEach((i, n) => {
      const at = `jwtRules[${n}]`;
      if (i.issuer.length === 0) problems.push(`${at}.issuer must not be empty`);
      if (seen.has(i.issuer)) problems.push(`${at}.issuer ${JSON.stringify(i.issuer)} is given twice (expected each issuer once)`);
      seen.add(i.issuer);
      if (i.jwksUri !== undefined && i.jwks !== undefined) {
        problems.push(`${at} must have jwksUri or jwks, not both (got both)`);
      }
      if (i.jwksUri !== undefined && !/^https?:\/\/[^\s/]+/.test(i.jwksUri)) {
        problems.push(`${at}.jwksUri must be an http(s) URL (got ${JSON.stringify(i.jwksUri)})`);
      }
      if (i.jwks !== undefined) {
        let keys: unknown;
        try {
          keys = (JSON.parse(i.jwks) as { keys?: unknown }).keys;
        } catch (e) {
          problems.push(`${at}.jwks must be a JSON Web Key Set (got invalid JSON: ${(e as Error).message})`);
          keys = [];
        }
        if (!Array.isArray(keys)) {
          problems.push(`${at}.jwks must be a JSON Web Key Set with a "keys" array (got none)`);
        }
      }
      (i.fromHeaders ?? []).forEach((h, k) => {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h.name)) {
          problems.push(`${at}.fromHeaders[${k}].name must be an HTTP header name (got ${JSON.stringify(h.name)})`);
        }
      });
    });
    return problems;
  }
}
