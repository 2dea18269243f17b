/**
 * networking.istio.io/v1 WorkloadEntry: a non-Kubernetes workload (VM, bare metal)
 * and its properties; also the shape of ServiceEntry endpoints.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, MapOf, StringMap, PortNumber } from './common';

/** The spec of a WorkloadEntry. */
export const WorkloadEntrySpecSchema = Strict(
  {
    /** IP address or DNS name of the workload (or `unix://` socket). */
    address: Type.Optional(Type.String({ maxLength: 256 })),
    /** Port name → port number on the workload, e.g. `{ http: 8080 }`. */
    ports: Type.Optional(MapOf(PortNumber())),
    /** Labels of the workload. */
    labels: Type.Optional(StringMap()),
    /** Network the workload is on, for multi-network meshes. */
    network: Type.Optional(Type.String()),
    /** Locality, `region/zone/subzone`. */
    locality: Type.Optional(Type.String()),
    /** Load-balancing weight. */
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
    /** Service account the workload runs as. */
    serviceAccount: Type.Optional(Type.String()),
  },
  { description: 'Configuration affecting VMs onboarded into the mesh.' },
);
export type WorkloadEntrySpec = Static<typeof WorkloadEntrySpecSchema>;
