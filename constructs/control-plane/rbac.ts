import { KINDS } from '../api';

/** One RBAC policy rule (rbac.authorization.k8s.io/v1 `PolicyRule`). */
export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** The only verbs the control plane is granted: it reads, it never writes cluster state. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];

/**
 * Cluster-wide rules of the control plane, least privilege: read-only, and only
 * what the xDS translation consumes.
 *
 * - every Istio kind meshform understands (routing and security intents);
 * - `services`: the service registry (hosts, ports, port names → protocols);
 * - `endpointslices`: the endpoints behind each service (EDS); the older `endpoints`
 *   API is not read, EndpointSlices are the source since Kubernetes 1.21;
 * - `pods`: labels (`app`, `version`, subsets and workload selectors) and the service
 *   account (identity) of each endpoint, and the proxies that connect.
 *
 * Deliberately absent: `nodes` (locality-aware routing is not implemented yet),
 * `namespaces` (no namespace-label features yet), `secrets` (gateway credentials are
 * served later, and will get a rule of their own), `create` on `tokenreviews` and
 * `certificatesigningrequests` (needed only once the CA authenticates proxies).
 */
export function controlPlaneClusterRules(): PolicyRule[] {
  const pluralsByGroup = new Map<string, string[]>();
  for (const info of KINDS) {
    const plurals = pluralsByGroup.get(info.group) ?? [];
    if (!plurals.includes(info.plural)) plurals.push(info.plural);
    pluralsByGroup.set(info.group, plurals);
  }
  const istioRules: PolicyRule[] = [...pluralsByGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, plurals]) => ({ apiGroups: [group], resources: [...plurals].sort(), verbs: [...READ_VERBS] }));
  return [
    ...istioRules,
    { apiGroups: [''], resources: ['pods', 'services'], verbs: [...READ_VERBS] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: [...READ_VERBS] },
  ];
}

/**
 * Namespaced rules in the mesh namespace: read the mesh-config ConfigMap, and only it.
 */
export function controlPlaneNamespaceRules(configMapName: string): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [configMapName], verbs: [...READ_VERBS] }];
}
