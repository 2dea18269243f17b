/** L1 constructs: one cdk8s ApiObject per Istio kind, validated against the API schemas at synth. */
export { IstioObjectProps, IstioApiObject } from './private/istio-api-object';
export * from './virtual-service';
export * from './destination-rule';
export * from './gateway';
export * from './service-entry';
export * from './workload-entry';
export * from './sidecar';
export * from './peer-authentication';
export * from './authorization-policy';
export * from './request-authentication';
