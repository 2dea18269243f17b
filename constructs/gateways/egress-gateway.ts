import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshGatewayBase, MeshGatewayProps } from './gateway-base';

/**
 * The mesh's way out: a proxy labelled `istio: egressgateway` behind a ClusterIP
 * Service, through which traffic to external hosts can be funnelled and policed.
 *
 * @example
 * const egress = new EgressGateway(chart, 'egress', { mesh });
 * egress.addServer(GatewayServer.tls({ port: 443, hosts: ['api.example.com'], tls: GatewayTls.passthrough() }));
 */
export class EgressGateway extends MeshGatewayBase {
  constructor(scope: Construct, id: string, props: MeshGatewayProps) {
    super(scope, id, props, {
      istioLabel: 'egressgateway',
      defaultName: 'istio-egressgateway',
      defaultServiceType: kplus.ServiceType.CLUSTER_IP,
    });
  }
}
