import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshGatewayBase, MeshGatewayProps } from './gateway-base';

/**
 * The mesh's front door: a proxy labelled `istio: ingressgateway` behind a
 * LoadBalancer Service, and the Gateway resource listing what it serves.
 *
 * @example
 * const ingress = new IngressGateway(chart, 'ingress', { mesh });
 * ingress.addServer(GatewayServer.http({ port: 80, hosts: ['*'] }));
 * // VirtualServices bind to it with `gateways: [ingress.gatewayName]`
 */
export class IngressGateway extends MeshGatewayBase {
  constructor(scope: Construct, id: string, props: MeshGatewayProps) {
    super(scope, id, props, {
      istioLabel: 'ingressgateway',
      defaultName: 'istio-ingressgateway',
      defaultServiceType: kplus.ServiceType.LOAD_BALANCER,
    });
  }
}
