import { AnalysisRule } from '../rule';
import { authorizationPolicyNeverMatchesRule } from './authorization-policy-never-matches';
import { conflictingMeshVirtualServiceHostsRule } from './conflicting-mesh-virtual-service-hosts';
import { conflictingPeerAuthenticationsRule } from './conflicting-peer-authentications';
import { destinationHostNotFoundRule } from './destination-host-not-found';
import { destinationRuleHostNotFoundRule } from './destination-rule-host-not-found';
import { destinationSubsetNotFoundRule } from './destination-subset-not-found';
import { gatewayNotFoundRule } from './gateway-not-found';
import { overlappingGatewayRoutesRule } from './overlapping-gateway-routes';
import { portNameConventionRule } from './port-name-convention';
import { routeWeightsRule } from './route-weights';
import { strictMtlsWithoutSidecarRule } from './strict-mtls-without-sidecar';
import { subsetWithoutWorkloadsRule } from './subset-without-workloads';
import { wildcardHostWithoutGatewayRule } from './wildcard-host-without-gateway';
import { workloadLabelsRule } from './workload-labels';

export {
  authorizationPolicyNeverMatchesRule,
  strictMtlsWithoutSidecarRule,
  conflictingMeshVirtualServiceHostsRule,
  conflictingPeerAuthenticationsRule,
  destinationHostNotFoundRule,
  destinationRuleHostNotFoundRule,
  destinationSubsetNotFoundRule,
  gatewayNotFoundRule,
  overlappingGatewayRoutesRule,
  portNameConventionRule,
  routeWeightsRule,
  subsetWithoutWorkloadsRule,
  wildcardHostWithoutGatewayRule,
  workloadLabelsRule,
};

/** Every rule, in the order their findings are reported for one object. */
export const ALL_RULES: readonly AnalysisRule[] = [
  routeWeightsRule,
  destinationHostNotFoundRule,
  destinationSubsetNotFoundRule,
  wildcardHostWithoutGatewayRule,
  conflictingMeshVirtualServiceHostsRule,
  overlappingGatewayRoutesRule,
  gatewayNotFoundRule,
  destinationRuleHostNotFoundRule,
  subsetWithoutWorkloadsRule,
  portNameConventionRule,
  workloadLabelsRule,
  conflictingPeerAuthenticationsRule,
  authorizationPolicyNeverMatchesRule,
  strictMtlsWithoutSidecarRule,
];
