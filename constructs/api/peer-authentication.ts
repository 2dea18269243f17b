/**
 * security.istio.io/v1 PeerAuthentication: which mutual-TLS mode a workload accepts.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, MapOf, StringEnum, WorkloadSelectorSchema } from './common';

/** mTLS modes: `STRICT` accepts only mTLS, `PERMISSIVE` both, `DISABLE` plaintext, `UNSET` inherits. */
export const MutualTLSModeSchema = StringEnum(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const);
export type MutualTLSMode = Static<typeof MutualTLSModeSchema>;

/** `PeerAuthentication.MutualTLS`. */
export const MutualTLSSchema = Strict({
  /** mTLS mode. @default 'UNSET' (inherit from parent scope; PERMISSIVE at the root) */
  mode: Type.Optional(MutualTLSModeSchema),
});
export type MutualTLS = Static<typeof MutualTLSSchema>;

/** The spec of a PeerAuthentication. */
export const PeerAuthenticationSpecSchema = Strict(
  {
    /** Workloads the policy applies to. @default - all workloads of the namespace (root namespace: mesh) */
    selector: Type.Optional(WorkloadSelectorSchema),
    /** mTLS settings for all ports. */
    mtls: Type.Optional(MutualTLSSchema),
    /** Per-port overrides, keyed by workload port number, e.g. `{ '8080': { mode: 'DISABLE' } }`. */
    portLevelMtls: Type.Optional(MapOf(MutualTLSSchema)),
  },
  { description: 'Peer authentication configuration for workloads.' },
);
export type PeerAuthenticationSpec = Static<typeof PeerAuthenticationSpecSchema>;
