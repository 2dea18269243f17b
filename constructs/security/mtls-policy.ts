import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { MutualTLS, PeerAuthenticationSpec } from '../api/peer-authentication';
import { PeerAuthentication } from '../istio';
import { PolicyScope } from './policy-scope';
import { compact } from '../traffic/private/checks';
import { pathOf } from '../traffic/private/emit';
import { defaultName } from './private/default-name';

/** Which connections a workload accepts (PeerAuthentication `mtls.mode`). */
export enum MtlsMode {
  /** Mutual TLS only. */
  STRICT = 'STRICT',
  /** Mutual TLS and plain text. */
  PERMISSIVE = 'PERMISSIVE',
  /** Plain text only. */
  DISABLE = 'DISABLE',
  /** Inherit from the enclosing scope (namespace, then mesh). */
  UNSET = 'UNSET',
}

/** Props of `MtlsPolicy`. */
export interface MtlsPolicyProps {
  /** Where the policy applies. */
  readonly scope: PolicyScope;
  /**
   * Mode for every port.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;
  /**
   * Per-port modes, keyed by workload (container) port. Needs a workload scope.
   * @default - none
   */
  readonly portOverrides?: { readonly [port: number]: MtlsMode };
  /**
   * Name of the PeerAuthentication.
   * @default 'default' for mesh and namespace scopes (Istio's convention); the construct id, lower-cased, otherwise
   */
  readonly name?: string;
}

/** Mode used when none is given. */
export const DEFAULT_MTLS_MODE = MtlsMode.STRICT;

/**
 * Mutual TLS requirements for the mesh, a namespace or some workloads
 * (Istio's PeerAuthentication), with per-port overrides.
 *
 * @example
 * new MtlsPolicy(chart, 'mesh-mtls', { scope: PolicyScope.mesh() });
 * new MtlsPolicy(chart, 'legacy', { scope: PolicyScope.workload('shop', { app: 'legacy' }), mode: MtlsMode.STRICT, portOverrides: { 8080: MtlsMode.PERMISSIVE } });
 */
export class MtlsPolicy extends Construct {
  private readonly props: MtlsPolicyProps;
  private readonly ports = new Map<number, MtlsMode>();

  constructor(scope: Construct, id: string, props: MtlsPolicyProps) {
    super(scope, id);
    this.props = props;
    for (const [port, mode] of Object.entries(props.portOverrides ?? {})) {
      this.ports.set(Number(port), mode);
    }
    const fallbackName = props.scope.level === 'workload' ? defaultName(this) : 'default';
    new PeerAuthentication(this, 'PeerAuthentication', {
      metadata: compact({ name: props.name ?? fallbackName, namespace: props.scope.namespace }),
      spec: Lazy.any({ produce: () => this.render() }) as unknown as PeerAuthenticationSpec,
    });
    this.node.addValidation({ validate: () => this.validateIntent().map((p) => `${pathOf(this)}: ${p}`) });
  }

  /** Sets the mode of one workload port. */
  public overridePort(port: number, mode: MtlsMode): this {
    this.ports.set(port, mode);
    return this;
  }

  private render(): PeerAuthenticationSpec {
    const portLevelMtls: Record<string, MutualTLS> = {};
    for (const [port, mode] of [...this.ports].sort((a, b) => a[0] - b[0])) {
      portLevelMtls[String(port)] = { mode };
    }
    return compact({
      selector: this.props.scope._selector(),
      mtls: { mode: this.props.mode ?? DEFAULT_MTLS_MODE },
      portLevelMtls: this.ports.size > 0 ? portLevelMtls : undefined,
    }) as PeerAuthenticationSpec;
  }

  private validateIntent(): string[] {
    const problems = [...this.props.scope._validate()];
    for (const port of this.ports.keys()) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push(`portLevelMtls port must be an integer between 1 and 65535 (got ${port})`);
      }
    }
    if (this.ports.size > 0 && this.props.scope.level !== 'workload') {
      problems.push(`portLevelMtls needs a workload scope with a selector (got a ${this.props.scope.level} scope); Istio ignores port overrides without a selector`);
    }
    return problems;
  }
}
