/**
 * meshform: the whole service mesh as typed cdk8s constructs.
 *
 * - L2 intents at the top level: `Mesh`, `MeshService`, `IngressGateway`,
 *   `ServiceTraffic`, `ExternalService`, `MtlsPolicy`, `AccessPolicy`, ...
 * - L1 resources, one per Istio kind, under the `istio` namespace.
 * - The resource schemas (types, CRDs, validators) under the `api` namespace.
 */
export * from './mesh';
export * from './mesh-config';
export * from './control-plane';
export * from './service-target';
export * from './workloads';
export * from './gateways';
export * from './traffic';
export * from './security';
export * from './analysis';
export * from './app-context';
export * as istio from './istio';
export * as api from './api';
