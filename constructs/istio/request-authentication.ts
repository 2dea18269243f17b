/**
 * L1 construct for security.istio.io/v1 RequestAuthentication.
 */
import { Construct } from 'constructs';
import { RequestAuthenticationSpec } from '../api/request-authentication';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link RequestAuthentication}. */
export interface RequestAuthenticationProps extends IstioObjectProps<RequestAuthenticationSpec> {}

/** The JWTs workloads accept. Renders `security.istio.io/v1` `RequestAuthentication`; the spec is validated at synth time. */
export class RequestAuthentication extends IstioApiObject<RequestAuthenticationSpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication' } as const;

  public constructor(scope: Construct, id: string, props: RequestAuthenticationProps) {
    super(scope, id, RequestAuthentication.GVK, 'RequestAuthentication', props);
  }
}
