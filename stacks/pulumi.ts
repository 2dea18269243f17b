/**
 * The Pulumi program (`pulumi up`, see Pulumi.yaml): the same bookinfo stack
 * definition the cdk8s app synthesizes, deployed as Pulumi resources.
 *
 * Settings come from the stack config (`pulumi config set meshform:scenario split-50`):
 * meshform:scenario, meshform:namespace, meshform:image, meshform:replicas, meshform:mtls.
 */
import { MeshStack, readStackConfig } from '../constructs/pulumi';
import { BOOKINFO_SCENARIOS, BookinfoChart, DEFAULT_SCENARIO } from './bookinfo';

const config = readStackConfig({ scenarios: BOOKINFO_SCENARIOS, defaultScenario: DEFAULT_SCENARIO });

const mesh = new MeshStack('meshform', {
  define: (app) => {
    new BookinfoChart(app, 'bookinfo', {
      scenario: config.scenario,
      namespace: config.namespace,
      image: config.image,
      replicas: config.replicas,
      mtls: config.mtls,
    });
  },
});

/** The ingress gateway's LoadBalancer IP or hostname, once the cluster assigns one. */
export const ingressGatewayAddress = mesh.ingressGatewayAddress;
/** The control plane's xDS address, `<service>.<namespace>.svc:15010`. */
export const controlPlaneService = mesh.controlPlaneService;
/** The bookinfo scenario deployed. */
export const scenario = config.scenario;
