/**
 * security.istio.io/v1 AuthorizationPolicy: access control on workloads.
 * Evaluation order: CUSTOM, then DENY, then ALLOW.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, StringList, StringEnum, WorkloadSelectorSchema } from './common';

/** `Source`: who the request comes from. Fields are ANDed; values within a field are ORed. */
export const SourceSchema = Strict({
  /** Peer identities (from mTLS), e.g. `cluster.local/ns/default/sa/productpage`. */
  principals: Type.Optional(StringList()),
  notPrincipals: Type.Optional(StringList()),
  /** Request identities (from JWT), `<iss>/<sub>`. */
  requestPrincipals: Type.Optional(StringList()),
  notRequestPrincipals: Type.Optional(StringList()),
  /** Namespaces of the peer (from mTLS). */
  namespaces: Type.Optional(StringList()),
  notNamespaces: Type.Optional(StringList()),
  /** Source IPs / CIDRs of the connection. */
  ipBlocks: Type.Optional(StringList()),
  notIpBlocks: Type.Optional(StringList()),
  /** Original client IPs / CIDRs (X-Forwarded-For / proxy protocol). */
  remoteIpBlocks: Type.Optional(StringList()),
  notRemoteIpBlocks: Type.Optional(StringList()),
});
export type Source = Static<typeof SourceSchema>;

/** `Operation`: what the request does. */
export const OperationSchema = Strict({
  /** Hosts (Host header), exact, prefix `*` or suffix `*` match. */
  hosts: Type.Optional(StringList()),
  notHosts: Type.Optional(StringList()),
  /** Destination ports, as strings, e.g. `['8080']`. */
  ports: Type.Optional(StringList()),
  notPorts: Type.Optional(StringList()),
  /** HTTP methods, e.g. `['GET', 'POST']`. */
  methods: Type.Optional(StringList()),
  notMethods: Type.Optional(StringList()),
  /** Paths, exact or with `*` prefix/suffix, e.g. `['/api/*']`. */
  paths: Type.Optional(StringList()),
  notPaths: Type.Optional(StringList()),
});
export type Operation = Static<typeof OperationSchema>;

/** `Condition`: an extra condition on a request attribute, e.g. `request.headers[x-token]`. */
export const ConditionSchema = Strict({
  /** Attribute name, e.g. `source.ip`, `request.auth.claims[iss]`. */
  key: Type.String({ minLength: 1 }),
  /** Values that match. */
  values: Type.Optional(StringList()),
  /** Values that must not match. */
  notValues: Type.Optional(StringList()),
});
export type Condition = Static<typeof ConditionSchema>;

/** `Rule.From`. */
export const RuleFromSchema = Strict({ source: Type.Optional(SourceSchema) });
export type RuleFrom = Static<typeof RuleFromSchema>;

/** `Rule.To`. */
export const RuleToSchema = Strict({ operation: Type.Optional(OperationSchema) });
export type RuleTo = Static<typeof RuleToSchema>;

/** `Rule`: from AND to AND when; each list's entries are ORed. */
export const RuleSchema = Strict({
  /** Request sources. */
  from: Type.Optional(Type.Array(RuleFromSchema)),
  /** Request operations. */
  to: Type.Optional(Type.Array(RuleToSchema)),
  /** Additional conditions. */
  when: Type.Optional(Type.Array(ConditionSchema)),
});
export type Rule = Static<typeof RuleSchema>;

/** Authorization actions. */
export const AuthorizationActionSchema = StringEnum(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const);
export type AuthorizationAction = Static<typeof AuthorizationActionSchema>;

/** `AuthorizationPolicy.ExtensionProvider`: the external authorizer used by `CUSTOM`. */
export const ExtensionProviderSchema = Strict({
  /** Name of an extension provider from the mesh config. */
  name: Type.String({ minLength: 1 }),
});
export type ExtensionProvider = Static<typeof ExtensionProviderSchema>;

/** The spec of an AuthorizationPolicy. */
export const AuthorizationPolicySpecSchema = Strict(
  {
    /** Workloads the policy applies to. @default - all workloads of the namespace */
    selector: Type.Optional(WorkloadSelectorSchema),
    /** Rules; a request matching any rule triggers the action. No rules: ALLOW matches nothing (deny all), DENY matches nothing. */
    rules: Type.Optional(Type.Array(RuleSchema)),
    /** What to do with matching requests. @default 'ALLOW' */
    action: Type.Optional(AuthorizationActionSchema),
    /** External authorizer, required with `action: CUSTOM`. */
    provider: Type.Optional(ExtensionProviderSchema),
  },
  { description: 'Configuration for access control on workloads.' },
);
export type AuthorizationPolicySpec = Static<typeof AuthorizationPolicySpecSchema>;
