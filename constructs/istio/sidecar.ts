/**
 * L1 construct for networking.istio.io/v1 Sidecar.
 */
import { Construct } from 'constructs';
import { SidecarSpec } from '../api/sidecar';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link Sidecar}. */
export interface SidecarProps extends IstioObjectProps<SidecarSpec> {}

/** The listeners and reachable hosts of sidecar proxies. Renders `networking.istio.io/v1` `Sidecar`; the spec is validated at synth time. */
export class Sidecar extends IstioApiObject<SidecarSpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar' } as const;

  public constructor(scope: Construct, id: string, props: SidecarProps) {
    super(scope, id, Sidecar.GVK, 'Sidecar', props);
  }
}
