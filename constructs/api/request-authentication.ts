/**
 * security.istio.io/v1 RequestAuthentication: which JWTs a workload accepts.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, StringList, WorkloadSelectorSchema } from './common';

/** `JWTHeader`: a header carrying the token. */
export const JWTHeaderSchema = Strict({
  /** Header name, e.g. `Authorization`. */
  name: Type.String({ minLength: 1 }),
  /** Prefix stripped before the token, e.g. `Bearer `. */
  prefix: Type.Optional(Type.String()),
});
export type JWTHeader = Static<typeof JWTHeaderSchema>;

/** `ClaimToHeader`: copy a claim into a request header. */
export const ClaimToHeaderSchema = Strict({
  /** Header name. */
  header: Type.String({ minLength: 1, pattern: '^[-_A-Za-z0-9]+$' }),
  /** Claim name. */
  claim: Type.String({ minLength: 1 }),
});
export type ClaimToHeader = Static<typeof ClaimToHeaderSchema>;

/** `JWTRule`: how to validate JWTs of one issuer. */
export const JWTRuleSchema = Strict(
  {
    /** Issuer (`iss` claim), e.g. `https://accounts.example.com`. */
    issuer: Type.String({ minLength: 1 }),
    /** Accepted audiences (`aud` claim). @default - any */
    audiences: Type.Optional(StringList()),
    /** URL of the issuer's JSON Web Key Set. */
    jwksUri: Type.Optional(Type.String()),
    /** Inline JSON Web Key Set. */
    jwks: Type.Optional(Type.String()),
    /** Headers the token is read from. @default [{ name: 'Authorization', prefix: 'Bearer ' }] */
    fromHeaders: Type.Optional(Type.Array(JWTHeaderSchema)),
    /** Query parameters the token is read from. @default ['access_token'] */
    fromParams: Type.Optional(StringList()),
    /** Header receiving the base64 verified payload. */
    outputPayloadToHeader: Type.Optional(Type.String()),
    /** Keep the original token in the forwarded request. @default false */
    forwardOriginalToken: Type.Optional(Type.Boolean()),
    /** Claims copied into headers. */
    outputClaimToHeaders: Type.Optional(Type.Array(ClaimToHeaderSchema)),
  },
  { exclusive: [['jwksUri', 'jwks']] },
);
export type JWTRule = Static<typeof JWTRuleSchema>;

/** The spec of a RequestAuthentication. */
export const RequestAuthenticationSpecSchema = Strict(
  {
    /** Workloads the policy applies to. @default - all workloads of the namespace */
    selector: Type.Optional(WorkloadSelectorSchema),
    /** JWT rules; a token must match one of them (requests without a token are allowed). */
    jwtRules: Type.Optional(Type.Array(JWTRuleSchema)),
  },
  { description: 'Request authentication configuration for workloads.' },
);
export type RequestAuthenticationSpec = Static<typeof RequestAuthenticationSpecSchema>;
