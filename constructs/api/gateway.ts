/**
 * networking.istio.io/v1 Gateway: a load balancer at the edge of the mesh and the
 * ports, protocols, hosts and TLS it exposes.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, StringMap, StringList, StringEnum, PortNumber } from './common';

/** Protocols a port may carry. */
export const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'MONGO', 'TCP', 'TLS', 'MYSQL', 'REDIS', 'UDP'] as const;

/** `Port`: a port a server (or a sidecar listener) listens on. */
export const PortSchema = Strict({
  /** Port number, 1..65535. */
  number: PortNumber({ description: 'A valid non-negative integer port number.' }),
  /** Protocol: `HTTP`, `HTTPS`, `GRPC`, `GRPC-WEB`, `HTTP2`, `MONGO`, `TCP`, `TLS`, `MYSQL`, `REDIS`, `UDP`. */
  protocol: Type.String({ description: 'The protocol exposed on the port.' }),
  /** Label for the port, e.g. `http`. */
  name: Type.String({ description: 'Label assigned to the port.' }),
  /** Port on the endpoint receiving the traffic. */
  targetPort: Type.Optional(PortNumber()),
});
export type Port = Static<typeof PortSchema>;

/** TLS protocol versions. */
export const TLSProtocolSchema = StringEnum(['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'] as const);
export type TLSProtocol = Static<typeof TLSProtocolSchema>;

/** Server TLS modes. */
export const ServerTLSModeSchema = StringEnum(
  ['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'] as const,
);
export type ServerTLSMode = Static<typeof ServerTLSModeSchema>;

/** `ServerTLSSettings`: TLS terminated (or passed through) by a server. */
export const ServerTLSSettingsSchema = Strict({
  /** Answer plain HTTP with a 301 to HTTPS. */
  httpsRedirect: Type.Optional(Type.Boolean()),
  /** `SIMPLE` (TLS), `MUTUAL` (mTLS), `PASSTHROUGH` (route by SNI), ... */
  mode: Type.Optional(ServerTLSModeSchema),
  /** Server certificate file. */
  serverCertificate: Type.Optional(Type.String()),
  /** Server private key file. */
  privateKey: Type.Optional(Type.String()),
  /** CA bundle file used to verify clients (MUTUAL). */
  caCertificates: Type.Optional(Type.String()),
  /** Secret holding the certificate, key and CA (instead of files). */
  credentialName: Type.Optional(Type.String()),
  /** Acceptable client subject alternative names. */
  subjectAltNames: Type.Optional(StringList()),
  /** Acceptable SPKI hashes of client certificates. */
  verifyCertificateSpki: Type.Optional(StringList()),
  /** Acceptable hex-encoded SHA-256 hashes of client certificates. */
  verifyCertificateHash: Type.Optional(StringList()),
  /** Minimum TLS version. */
  minProtocolVersion: Type.Optional(TLSProtocolSchema),
  /** Maximum TLS version. */
  maxProtocolVersion: Type.Optional(TLSProtocolSchema),
  /** Allowed cipher suites. */
  cipherSuites: Type.Optional(StringList()),
});
export type ServerTLSSettings = Static<typeof ServerTLSSettingsSchema>;

/** `Server`: one port/protocol/hosts combination exposed by the gateway. */
export const ServerSchema = Strict({
  /** Port the proxy listens on. */
  port: PortSchema,
  /** Address to bind to, e.g. `0.0.0.0` or a Unix socket. */
  bind: Type.Optional(Type.String()),
  /** Hosts exposed, optionally `namespace/host`; `*` for all. */
  hosts: Type.Array(Type.String(), { minItems: 1 }),
  /** TLS settings. */
  tls: Type.Optional(ServerTLSSettingsSchema),
  /** Loopback endpoint the server forwards to (gateway deployed as sidecar). */
  defaultEndpoint: Type.Optional(Type.String()),
  /** Optional name, used for stats. */
  name: Type.Optional(Type.String()),
});
export type Server = Static<typeof ServerSchema>;

/** The spec of a Gateway. */
export const GatewaySpecSchema = Strict(
  {
    /** Servers (ports and hosts) exposed. */
    servers: Type.Array(ServerSchema),
    /** Labels of the gateway pods this configuration applies to, e.g. `{ istio: 'ingressgateway' }`. */
    selector: Type.Optional(StringMap()),
  },
  { description: 'Configuration affecting edge load balancer.' },
);
export type GatewaySpec = Static<typeof GatewaySpecSchema>;
