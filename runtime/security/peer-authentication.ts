/**
 * The effective mTLS mode of a workload port, from PeerAuthentication, as
 * Istio composes it:
 * - mesh-wide: a policy without selector in the root namespace;
 * - namespace-wide: a policy without selector in the workload's namespace;
 * - workload: a policy with a selector matching the workload, in its namespace
 *   (a policy with a selector in the root namespace is ignored, as in Istio);
 * at each level the oldest policy wins. Each level overrides the one above
 * unless its mode is UNSET (or absent); the default is PERMISSIVE.
 * `portLevelMtls` is honoured only on a workload policy; an UNSET port inherits
 * the workload's effective mode.
 */
import type { MutualTLSMode, PeerAuthenticationSpec } from '../../constructs/api/peer-authentication';
import { DEFAULT_ROOT_NAMESPACE, PolicyObject, PolicyScopeOptions, Workload, compareAge, hasSelector, policyKey, selectorMatches } from './policy-object';

/** A resolved mode (never UNSET). */
export type MtlsMode = Exclude<MutualTLSMode, 'UNSET'>;

/** Where a resolved mode came from. */
export type MtlsScope = 'port' | 'workload' | 'namespace' | 'mesh' | 'default';

export interface EffectiveMtls {
  readonly mode: MtlsMode;
  readonly scope: MtlsScope;
  /** `<ns>/<name>` of the deciding policy, absent for the default. */
  readonly policy?: string;
}

/** The compiled result for one workload: its mode, and the ports that differ. */
export interface WorkloadMtls {
  /** Mode of every port not listed in `ports`. */
  readonly workload: EffectiveMtls;
  /** Port-level modes (from the workload policy's `portLevelMtls`). */
  readonly ports: ReadonlyMap<number, EffectiveMtls>;
  /** The mode for a port. */
  forPort(port: number): EffectiveMtls;
  /** Policies considered and ignored, with why (e.g. a selector in the root namespace). */
  readonly notes: readonly string[];
}

const DEFAULT: EffectiveMtls = { mode: 'PERMISSIVE', scope: 'default' };

function modeOf(mode: MutualTLSMode | undefined): MtlsMode | undefined {
  return mode === undefined || mode === 'UNSET' ? undefined : mode;
}

/** Compiles the PeerAuthentications of a mesh for one workload. */
export function compilePeerAuthentication(
  policies: readonly PolicyObject<PeerAuthenticationSpec>[],
  workload: Workload,
  options: PolicyScopeOptions = {},
): WorkloadMtls {
  const root = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const notes: string[] = [];
  let mesh: PolicyObject<PeerAuthenticationSpec> | undefined;
  let ns: PolicyObject<PeerAuthenticationSpec> | undefined;
  let wl: PolicyObject<PeerAuthenticationSpec> | undefined;
  for (const p of [...policies].sort(compareAge)) {
    if (p.namespace !== workload.namespace && p.namespace !== root) continue;
    if (!hasSelector(p.spec.selector)) {
      if (p.namespace === root) mesh ??= p;
      else ns ??= p;
      if (p.spec.portLevelMtls && Object.keys(p.spec.portLevelMtls).length > 0) {
        notes.push(`PeerAuthentication ${policyKey(p)}: portLevelMtls ignored (it applies only with a workload selector)`);
      }
    } else if (selectorMatches(p.spec.selector, workload.labels)) {
      if (p.namespace === root && p.namespace !== workload.namespace) {
        notes.push(`PeerAuthentication ${policyKey(p)}: ignored (a selector in the root namespace does not apply to other namespaces)`);
      } else if (p.namespace === root && root === workload.namespace) {
        notes.push(`PeerAuthentication ${policyKey(p)}: ignored (a selector in the root namespace does not make a workload policy)`);
      } else {
        wl ??= p;
      }
    }
  }
  let effective = DEFAULT;
  for (const [policy, scope] of [[mesh, 'mesh'], [ns, 'namespace'], [wl, 'workload']] as const) {
    const mode = policy ? modeOf(policy.spec.mtls?.mode) : undefined;
    if (policy && mode) effective = { mode, scope, policy: policyKey(policy) };
  }
  const ports = new Map<number, EffectiveMtls>();
  if (wl?.spec.portLevelMtls) {
    for (const [portText, setting] of Object.entries(wl.spec.portLevelMtls)) {
      const port = Number(portText);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        notes.push(`PeerAuthentication ${policyKey(wl)}: spec.portLevelMtls: expected port numbers 1-65535 as keys (got '${portText}')`);
        continue;
      }
      const mode = modeOf(setting.mode);
      ports.set(port, mode ? { mode, scope: 'port', policy: policyKey(wl) } : effective);
    }
  }
  const workloadMode = effective;
  return { workload: workloadMode, ports, notes, forPort: (port) => ports.get(port) ?? workloadMode };
}

/** The effective mode for one workload port. */
export function resolveMtlsMode(
  policies: readonly PolicyObject<PeerAuthenticationSpec>[],
  workload: Workload,
  port: number,
  options: PolicyScopeOptions = {},
): EffectiveMtls {
  return compilePeerAuthentication(policies, workload, options).forPort(port);
}

/**
 * Whether a connection is acceptable under `mode`: STRICT takes only mTLS,
 * PERMISSIVE both, DISABLE only plaintext (the proxy terminates no TLS there).
 */
export function acceptsConnection(mode: MtlsMode, isMutualTls: boolean): boolean {
  return mode === 'PERMISSIVE' || (mode === 'STRICT' ? isMutualTls : !isMutualTls);
}
