/**
 * L1 construct for networking.istio.io/v1 DestinationRule.
 */
import { Construct } from 'constructs';
import { DestinationRuleSpec } from '../api/destination-rule';
import { IstioApiObject, IstioObjectProps } from './private/istio-api-object';

/** Props of {@link DestinationRule}. */
export interface DestinationRuleProps extends IstioObjectProps<DestinationRuleSpec> {}

/** Traffic policies (load balancing, connection pool, outlier detection, TLS) and subsets of a service. Renders `networking.istio.io/v1` `DestinationRule`; the spec is validated at synth time. */
export class DestinationRule extends IstioApiObject<DestinationRuleSpec> {
  /** apiVersion and kind of this resource. */
  public static readonly GVK = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' } as const;

  public constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id, DestinationRule.GVK, 'DestinationRule', props);
  }
}
