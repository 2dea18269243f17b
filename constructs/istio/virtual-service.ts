/**
 * L1 construct for networking.istio.io/v1 VirtualService.
 */
import { Construct } from 'constructs';
import { VirtualServiceSpec } from '../api/virtual-service';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link VirtualService}. */
export interface VirtualServiceProps extends IstioObjectProps<VirtualServiceSpec> {}

/** Routing rules for requests to a set of hosts. Renders `networking.istio.io/v1` `VirtualService`; the spec is validated at synth time. */
export class VirtualService extends IstioApiObject<VirtualServiceSpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' } as const;

  public constructor(scope: Construct, id: string, props: VirtualServiceProps) {
    super(scope, id, VirtualService.GVK, 'VirtualService', props);
  }
}
