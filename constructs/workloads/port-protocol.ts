/**
 * The protocols Istio recognises in a Service port name `<protocol>[-<suffix>]`
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/).
 * Longest first, so `grpc-web` is recognised before `grpc`.
 */
export const PORT_PROTOCOLS = [
  'grpc-web', 'http2', 'https', 'mongo', 'mysql', 'redis', 'grpc', 'http', 'tcp', 'tls', 'udp',
] as const;

/** A protocol Istio recognises in a port name. */
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/**
 * The protocol a port name declares under Istio's `<protocol>[-<suffix>]` convention,
 * or `undefined` if the name does not follow it.
 *
 * @example protocolOfPortName('grpc-api') === 'grpc'; protocolOfPortName('web') === undefined
 */
export function protocolOfPortName(name: string): PortProtocol | undefined {
  for (const protocol of PORT_PROTOCOLS) {
    if (name === protocol) return protocol;
    if (name.startsWith(`${protocol}-`) && name.length > protocol.length + 1) return protocol;
  }
  return undefined;
}
