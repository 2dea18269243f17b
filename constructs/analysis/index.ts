/**
 * Synth-time analysis: the checks `istioctl analyze` runs after deploy, run before
 * (by `MeshAnalysis.attach(scope)` at `cdk8s synth`, and by `meshform analyze` on YAML).
 *
 * | code    | level   | rule                                   | catches |
 * | ------- | ------- | -------------------------------------- | ------- |
 * | MF0001  | error   | route-weights-not-100                  | destination weights of one HTTP/TCP/TLS route do not sum to 100 |
 * | IST0101 | error   | destination-host-not-found             | destination host is neither a Service nor a ServiceEntry host |
 * | IST0101 | error   | destination-subset-not-found           | destination subset not defined by any DestinationRule for the host |
 * | MF0003  | error   | wildcard-host-without-gateway          | host `*` on a VirtualService bound to the mesh |
 * | IST0109 | error   | conflicting-mesh-virtual-service-hosts | two mesh VirtualServices define the same host |
 * | MF0002  | error   | overlapping-gateway-routes             | two VirtualServices on one gateway+host with overlapping matches |
 * | IST0101 | warning | gateway-not-found                      | a VirtualService names a gateway that does not exist |
 * | IST0101 | warning | destination-rule-host-not-found        | a DestinationRule host has no Service/ServiceEntry |
 * | IST0127 | warning | subset-without-workloads               | subset labels match no workload behind the host |
 * | IST0118 | error   | port-name-convention                   | Service port not named `<protocol>[-<suffix>]` and no appProtocol |
 * | MF0004  | error / warning | workload-labels                | pod without `app` (error) / `version` (warning) label |
 * | MF0005  | error   | conflicting-peer-authentications       | two PeerAuthentications for the same scope |
 *
 * `meshform analyze` adds IST0106 (schema validation of Istio objects).
 */
export * from './analyze';
export * from './context';
export * from './finding';
export * from './manifest-input';
export * from './manifest-object';
export * from './mesh-analysis';
export * from './rule';
export * from './rules';
export * from './workload';
