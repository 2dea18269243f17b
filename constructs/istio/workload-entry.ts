/**
 * L1 construct for networking.istio.io/v1 WorkloadEntry.
 */
import { Construct } from 'constructs';
import { WorkloadEntrySpec } from '../api/workload-entry';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link WorkloadEntry}. */
export interface WorkloadEntryProps extends IstioObjectProps<WorkloadEntrySpec> {}

/** A workload outside Kubernetes (VM, bare metal) in the mesh. Renders `networking.istio.io/v1` `WorkloadEntry`; the spec is validated at synth time. */
export class WorkloadEntry extends IstioApiObject<WorkloadEntrySpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry' } as const;

  public constructor(scope: Construct, id: string, props: WorkloadEntryProps) {
    super(scope, id, WorkloadEntry.GVK, 'WorkloadEntry', props);
  }
}
