/**
 * L1 construct for networking.istio.io/v1 Gateway.
 */
import { Construct } from 'constructs';
import { GatewaySpec } from '../api/gateway';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link Gateway}. */
export interface GatewayProps extends IstioObjectProps<GatewaySpec> {}

/** Ports, hosts and TLS exposed by a gateway proxy at the edge of the mesh. Renders `networking.istio.io/v1` `Gateway`; the spec is validated at synth time. */
export class Gateway extends IstioApiObject<GatewaySpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway' } as const;

  public constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id, Gateway.GVK, 'Gateway', props);
  }
}
