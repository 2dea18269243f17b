/**
 * networking.istio.io/v1 ServiceEntry: adds a service (usually outside the mesh) to
 * Istio's service registry.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, StringList, StringEnum, PortNumber, ExportTo, NetworkingWorkloadSelectorSchema } from './common';
import { WorkloadEntrySpecSchema } from './workload-entry';

/** `ServicePort`: a port of the service. */
export const ServicePortSchema = Strict({
  /** Port number, 1..65535. */
  number: PortNumber({ description: 'A valid non-negative integer port number.' }),
  /** Protocol: `HTTP`, `HTTPS`, `GRPC`, `HTTP2`, `MONGO`, `TCP`, `TLS`. */
  protocol: Type.Optional(Type.String()),
  /** Label for the port, e.g. `https`. */
  name: Type.String({ description: 'Label assigned to the port.' }),
  /** Port on the endpoints receiving the traffic. */
  targetPort: Type.Optional(PortNumber()),
});
export type ServicePort = Static<typeof ServicePortSchema>;

/** Whether the service is part of the mesh. */
export const LocationSchema = StringEnum(['MESH_EXTERNAL', 'MESH_INTERNAL'] as const);
export type Location = Static<typeof LocationSchema>;

/** How the endpoints' addresses are discovered. */
export const ResolutionSchema = StringEnum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'] as const);
export type Resolution = Static<typeof ResolutionSchema>;

/** The spec of a ServiceEntry. */
export const ServiceEntrySpecSchema = Strict(
  {
    /** Hosts of the service, e.g. `api.example.com`. */
    hosts: Type.Array(Type.String(), { minItems: 1 }),
    /** Virtual IPs / CIDRs of the service. */
    addresses: Type.Optional(StringList()),
    /** Ports of the service. */
    ports: Type.Optional(Type.Array(ServicePortSchema)),
    /** Inside or outside the mesh. @default 'MESH_EXTERNAL' */
    location: Type.Optional(LocationSchema),
    /** Endpoint discovery mode. @default 'NONE' */
    resolution: Type.Optional(ResolutionSchema),
    /** Endpoints of the service (`STATIC`, or DNS names for `DNS`). */
    endpoints: Type.Optional(Type.Array(WorkloadEntrySpecSchema)),
    /** Select WorkloadEntries / pods as endpoints (MESH_INTERNAL). */
    workloadSelector: Type.Optional(NetworkingWorkloadSelectorSchema),
    /** Namespaces this entry is visible to. @default - all */
    exportTo: Type.Optional(ExportTo),
    /** Acceptable SANs of the service's workloads. */
    subjectAltNames: Type.Optional(StringList()),
  },
  { description: "Configuration affecting service registry.", exclusive: [['endpoints', 'workloadSelector']] },
);
export type ServiceEntrySpec = Static<typeof ServiceEntrySpecSchema>;
