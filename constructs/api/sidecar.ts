/**
 * networking.istio.io/v1 Sidecar: scopes what a sidecar proxy listens on (ingress) and
 * which services it can reach (egress).
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, StringEnum, NetworkingWorkloadSelectorSchema } from './common';
import { ServerTLSSettingsSchema } from './gateway';
import { DestinationSchema } from './virtual-service';

/** How traffic to a listener is captured. */
export const CaptureModeSchema = StringEnum(['DEFAULT', 'IPTABLES', 'NONE'] as const);
export type CaptureMode = Static<typeof CaptureModeSchema>;

/** `SidecarPort`: port of a sidecar listener (name and protocol may be omitted on egress). */
export const SidecarPortSchema = Strict({
  number: Type.Integer({ minimum: 0, maximum: 65535, description: 'Port number; 0 on egress means all ports.' }),
  protocol: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  targetPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export type SidecarPort = Static<typeof SidecarPortSchema>;

/** `IstioIngressListener`: inbound traffic the sidecar accepts. */
export const IstioIngressListenerSchema = Strict({
  /** Port the listener accepts traffic on. */
  port: SidecarPortSchema,
  /** Address to bind to; required with `captureMode: NONE`. */
  bind: Type.Optional(Type.String()),
  /** Capture mode. @default 'DEFAULT' */
  captureMode: Type.Optional(CaptureModeSchema),
  /** Where to forward: `127.0.0.1:PORT`, `0.0.0.0:PORT`, `[::1]:PORT` or `unix://...`. */
  defaultEndpoint: Type.Optional(Type.String()),
  /** TLS terminated by this listener. */
  tls: Type.Optional(ServerTLSSettingsSchema),
});
export type IstioIngressListener = Static<typeof IstioIngressListenerSchema>;

/** `IstioEgressListener`: outbound traffic the sidecar handles and the hosts it may reach. */
export const IstioEgressListenerSchema = Strict({
  /** Port of the listener; omit for all ports of the imported hosts. */
  port: Type.Optional(SidecarPortSchema),
  /** Address to bind to, e.g. a loopback address with `captureMode: NONE`. */
  bind: Type.Optional(Type.String()),
  /** Capture mode. @default 'DEFAULT' */
  captureMode: Type.Optional(CaptureModeSchema),
  /** Hosts reachable, `namespace/dnsName`, e.g. `./*`, `istio-system/*`, `*\/reviews.default.svc.cluster.local`. */
  hosts: Type.Array(Type.String(), { minItems: 1 }),
});
export type IstioEgressListener = Static<typeof IstioEgressListenerSchema>;

/** `OutboundTrafficPolicy`: what to do with traffic to hosts not in the registry. */
export const OutboundTrafficPolicySchema = Strict({
  /** `REGISTRY_ONLY` blocks unknown hosts; `ALLOW_ANY` passes them through. @default 'ALLOW_ANY' */
  mode: Type.Optional(StringEnum(['REGISTRY_ONLY', 'ALLOW_ANY'] as const)),
  /** Send unknown traffic to this egress proxy (with `ALLOW_ANY`). */
  egressProxy: Type.Optional(DestinationSchema),
});
export type OutboundTrafficPolicy = Static<typeof OutboundTrafficPolicySchema>;

/** The spec of a Sidecar. */
export const SidecarSpecSchema = Strict(
  {
    /** Workloads this Sidecar applies to. @default - every workload in the namespace */
    workloadSelector: Type.Optional(NetworkingWorkloadSelectorSchema),
    /** Inbound listeners. */
    ingress: Type.Optional(Type.Array(IstioIngressListenerSchema)),
    /** Outbound listeners and reachable hosts. */
    egress: Type.Optional(Type.Array(IstioEgressListenerSchema)),
    /** Policy for traffic to unknown hosts. */
    outboundTrafficPolicy: Type.Optional(OutboundTrafficPolicySchema),
  },
  { description: 'Configuration affecting network reachability of a sidecar.' },
);
export type SidecarSpec = Static<typeof SidecarSpecSchema>;
