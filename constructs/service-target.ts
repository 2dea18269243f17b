/**
 * What traffic and security intents need to know about a mesh service:
 * its names, where it lives, which versions run behind it and which ports it serves.
 * `MeshService` implements it; so can anything else that stands for a service
 * (a Service you did not create with meshform, for instance).
 */
export interface IMeshServiceTarget {
  /** Short service name, e.g. `reviews`. */
  readonly serviceName: string;
  /** Namespace of the service, e.g. `default`. */
  readonly namespace: string;
  /** Fully qualified host, e.g. `reviews.default.svc.cluster.local`. */
  readonly fqdn: string;
  /** Values of the `version` label of the workloads behind the service (`v1`, `v2`, ...). */
  readonly versions: readonly string[];
  /** Ports the service exposes, named after Istio's `<protocol>[-<suffix>]` convention. */
  readonly ports: readonly MeshServicePort[];
}

/** One port of a mesh service. */
export interface MeshServicePort {
  /** Port name, `<protocol>[-<suffix>]`, e.g. `http`, `grpc-api`, `tcp-db`. */
  readonly name: string;
  /** Service port number. */
  readonly port: number;
  /** Container port the service forwards to. @default - the same as `port` */
  readonly targetPort?: number;
}
