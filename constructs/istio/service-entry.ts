/**
 * L1 construct for networking.istio.io/v1 ServiceEntry.
 */
import { Construct } from 'constructs';
import { ServiceEntrySpec } from '../api/service-entry';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link ServiceEntry}. */
export interface ServiceEntryProps extends IstioObjectProps<ServiceEntrySpec> {}

/** A service added to the mesh registry, typically an external API. Renders `networking.istio.io/v1` `ServiceEntry`; the spec is validated at synth time. */
export class ServiceEntry extends IstioApiObject<ServiceEntrySpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry' } as const;

  public constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id, ServiceEntry.GVK, 'ServiceEntry', props);
  }
}
