/**
 * L1 construct for security.istio.io/v1 PeerAuthentication.
 */
import { Construct } from 'constructs';
import { PeerAuthenticationSpec } from '../api/peer-authentication';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link PeerAuthentication}. */
export interface PeerAuthenticationProps extends IstioObjectProps<PeerAuthenticationSpec> {}

/** The mutual-TLS mode workloads accept. Renders `security.istio.io/v1` `PeerAuthentication`; the spec is validated at synth time. */
export class PeerAuthentication extends IstioApiObject<PeerAuthenticationSpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' } as const;

  public constructor(scope: Construct, id: string, props: PeerAuthenticationProps) {
    super(scope, id, PeerAuthentication.GVK, 'PeerAuthentication', props);
  }
}
