/**
 * L1 construct for security.istio.io/v1 AuthorizationPolicy.
 */
import { Construct } from 'constructs';
import { AuthorizationPolicySpec } from '../api/authorization-policy';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link AuthorizationPolicy}. */
export interface AuthorizationPolicyProps extends IstioObjectProps<AuthorizationPolicySpec> {}

/** Access control on workloads (ALLOW, DENY, AUDIT, CUSTOM). Renders `security.istio.io/v1` `AuthorizationPolicy`; the spec is validated at synth time. */
export class AuthorizationPolicy extends IstioApiObject<AuthorizationPolicySpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' } as const;

  public constructor(scope: Construct, id: string, props: AuthorizationPolicyProps) {
    super(scope, id, AuthorizationPolicy.GVK, 'AuthorizationPolicy', props);
  }
}
