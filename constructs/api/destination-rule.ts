/**
 * networking.istio.io/v1 DestinationRule: policies applied to traffic for a service
 * after routing (load balancing, connection pools, outlier detection, TLS), and subsets.
 */
import { Type, Static } from '@sinclair/typebox';
import { Strict, MapOf, StringMap, StringList, StringEnum, Duration, ExportTo, WorkloadSelectorSchema } from './common';
import { PortSelectorSchema } from './virtual-service';

/** Simple load-balancing algorithms. */
export const SimpleLBSchema = StringEnum(
  ['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'] as const,
  { description: 'Standard load balancing algorithm.' },
);
export type SimpleLB = Static<typeof SimpleLBSchema>;

/** `ConsistentHashLB.HTTPCookie`: hash on a cookie, generated if absent when `ttl` is set. */
export const HTTPCookieSchema = Strict({
  /** Cookie name. */
  name: Type.String({ minLength: 1 }),
  /** Cookie path. */
  path: Type.Optional(Type.String()),
  /** Lifetime of a generated cookie, e.g. `0s` for a session cookie. */
  ttl: Type.Optional(Duration()),
});
export type HTTPCookie = Static<typeof HTTPCookieSchema>;

/** `ConsistentHashLB`: session affinity by header, cookie, source IP or query parameter. */
export const ConsistentHashLBSchema = Strict(
  {
    /** Hash on this request header. */
    httpHeaderName: Type.Optional(Type.String()),
    /** Hash on this cookie. */
    httpCookie: Type.Optional(HTTPCookieSchema),
    /** Hash on the source IP address. */
    useSourceIp: Type.Optional(Type.Boolean()),
    /** Hash on this query parameter. */
    httpQueryParameterName: Type.Optional(Type.String()),
    /** Ring hash (ketama) algorithm. */
    ringHash: Type.Optional(Strict({ minimumRingSize: Type.Optional(Type.Integer({ minimum: 0 })) })),
    /** Maglev algorithm; `tableSize` should be a prime. */
    maglev: Type.Optional(Strict({ tableSize: Type.Optional(Type.Integer({ minimum: 0 })) })),
    /** @deprecated use `ringHash.minimumRingSize`. */
    minimumRingSize: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  {
    exclusive: [
      ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'],
      ['ringHash', 'maglev', 'minimumRingSize'],
    ],
  },
);
export type ConsistentHashLB = Static<typeof ConsistentHashLBSchema>;

/** `LocalityLoadBalancerSetting`: locality-weighted distribution and failover. */
export const LocalityLoadBalancerSettingSchema = Strict({
  /** Traffic distribution from a locality to weighted target localities. */
  distribute: Type.Optional(
    Type.Array(
      Strict({
        from: Type.Optional(Type.String()),
        to: Type.Optional(MapOf(Type.Integer({ minimum: 0, maximum: 100 }))),
      }),
    ),
  ),
  /** Region-level failover targets. */
  failover: Type.Optional(Type.Array(Strict({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }))),
  /** Ordered label keys used to prioritise endpoints on failover. */
  failoverPriority: Type.Optional(StringList()),
  /** Enable locality load balancing. */
  enabled: Type.Optional(Type.Boolean()),
});
export type LocalityLoadBalancerSetting = Static<typeof LocalityLoadBalancerSettingSchema>;

/** `LoadBalancerSettings`: a simple algorithm or consistent hashing, plus locality settings. */
export const LoadBalancerSettingsSchema = Strict(
  {
    /** Simple algorithm. @default 'LEAST_REQUEST' (Istio's default) */
    simple: Type.Optional(SimpleLBSchema),
    /** Consistent hashing (session affinity). */
    consistentHash: Type.Optional(ConsistentHashLBSchema),
    /** Locality load balancing. */
    localityLbSetting: Type.Optional(LocalityLoadBalancerSettingSchema),
    /** Slow-start window for new endpoints, e.g. `60s`. */
    warmupDurationSecs: Type.Optional(Duration()),
  },
  { exclusive: [['simple', 'consistentHash']] },
);
export type LoadBalancerSettings = Static<typeof LoadBalancerSettingsSchema>;

/** `ConnectionPoolSettings.TCPSettings.TcpKeepalive`. */
export const TcpKeepaliveSchema = Strict({
  /** Probes sent before the connection is deemed dead. */
  probes: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Idle time before probes start. */
  time: Type.Optional(Duration()),
  /** Interval between probes. */
  interval: Type.Optional(Duration()),
});
export type TcpKeepalive = Static<typeof TcpKeepaliveSchema>;

/** `ConnectionPoolSettings.TCPSettings`. */
export const TCPSettingsSchema = Strict({
  /** Maximum connections to a destination host. @default 2^32-1 */
  maxConnections: Type.Optional(Type.Integer({ minimum: 0 })),
  /** TCP connect timeout, e.g. `10s`. @default '10s' */
  connectTimeout: Type.Optional(Duration()),
  /** SO_KEEPALIVE settings. */
  tcpKeepalive: Type.Optional(TcpKeepaliveSchema),
  /** Maximum lifetime of a connection. */
  maxConnectionDuration: Type.Optional(Duration()),
});
export type TCPSettings = Static<typeof TCPSettingsSchema>;

/** `ConnectionPoolSettings.HTTPSettings`. */
export const HTTPSettingsSchema = Strict({
  /** Maximum requests queued while waiting for a connection. @default 2^32-1 */
  http1MaxPendingRequests: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Maximum active requests to a destination. @default 2^32-1 */
  http2MaxRequests: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Maximum requests per connection; 1 disables keep-alive. @default 0 (unlimited) */
  maxRequestsPerConnection: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Maximum outstanding retries across the cluster. @default 2^32-1 */
  maxRetries: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Idle timeout of upstream connections, e.g. `1h`. */
  idleTimeout: Type.Optional(Duration()),
  /** Whether to upgrade HTTP/1.1 connections to HTTP/2. */
  h2UpgradePolicy: Type.Optional(StringEnum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'] as const)),
  /** Use the client's protocol upstream. */
  useClientProtocol: Type.Optional(Type.Boolean()),
});
export type HTTPSettings = Static<typeof HTTPSettingsSchema>;

/** `ConnectionPoolSettings`: circuit-breaker thresholds. */
export const ConnectionPoolSettingsSchema = Strict({
  tcp: Type.Optional(TCPSettingsSchema),
  http: Type.Optional(HTTPSettingsSchema),
});
export type ConnectionPoolSettings = Static<typeof ConnectionPoolSettingsSchema>;

/** `OutlierDetection`: eject unhealthy hosts from the load-balancing pool. */
export const OutlierDetectionSchema = Strict({
  /** @deprecated use `consecutive5xxErrors` / `consecutiveGatewayErrors`. */
  consecutiveErrors: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Consecutive 5xx (or connect errors) before ejection. @default 5 */
  consecutive5xxErrors: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Consecutive 502/503/504 before ejection. @default - disabled */
  consecutiveGatewayErrors: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Consecutive locally originated failures before ejection (needs `splitExternalLocalOriginErrors`). */
  consecutiveLocalOriginFailures: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Analysis sweep interval, e.g. `10s`. @default '10s' */
  interval: Type.Optional(Duration()),
  /** Minimum ejection duration, e.g. `30s`. @default '30s' */
  baseEjectionTime: Type.Optional(Duration()),
  /** Maximum percentage of hosts ejected, 0..100. @default 10 */
  maxEjectionPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** Outlier detection is disabled below this healthy percentage, 0..100. @default 0 */
  minHealthPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** Count local-origin failures separately from upstream responses. */
  splitExternalLocalOriginErrors: Type.Optional(Type.Boolean()),
});
export type OutlierDetection = Static<typeof OutlierDetectionSchema>;

/** `ClientTLSSettings`: TLS used for connections to the upstream. */
export const ClientTLSSettingsSchema = Strict({
  /** TLS mode: `ISTIO_MUTUAL` for mesh mTLS, `SIMPLE`/`MUTUAL` for your own certs. */
  mode: Type.Optional(StringEnum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const)),
  /** Client certificate file (MUTUAL). */
  clientCertificate: Type.Optional(Type.String()),
  /** Client private key file (MUTUAL). */
  privateKey: Type.Optional(Type.String()),
  /** CA bundle file used to verify the server. */
  caCertificates: Type.Optional(Type.String()),
  /** Secret holding the client certificate, key and CA (instead of files). */
  credentialName: Type.Optional(Type.String()),
  /** Acceptable server subject alternative names. */
  subjectAltNames: Type.Optional(StringList()),
  /** SNI presented in the handshake. */
  sni: Type.Optional(Type.String()),
  /** Skip verification of the server certificate. */
  insecureSkipVerify: Type.Optional(Type.Boolean()),
});
export type ClientTLSSettings = Static<typeof ClientTLSSettingsSchema>;

const policyFields = {
  /** Load balancing. */
  loadBalancer: Type.Optional(LoadBalancerSettingsSchema),
  /** Connection pool / circuit breaker thresholds. */
  connectionPool: Type.Optional(ConnectionPoolSettingsSchema),
  /** Outlier detection (passive health checking). */
  outlierDetection: Type.Optional(OutlierDetectionSchema),
  /** Upstream TLS. */
  tls: Type.Optional(ClientTLSSettingsSchema),
};

/** `TrafficPolicy.PortTrafficPolicy`: overrides for one destination port. */
export const PortTrafficPolicySchema = Strict({
  /** The port these settings apply to. */
  port: Type.Optional(PortSelectorSchema),
  ...policyFields,
});
export type PortTrafficPolicy = Static<typeof PortTrafficPolicySchema>;

/** `TrafficPolicy`: policies for a destination or a subset. */
export const TrafficPolicySchema = Strict({
  ...policyFields,
  /** Per-port overrides; port-level settings override the destination-level ones. */
  portLevelSettings: Type.Optional(Type.Array(PortTrafficPolicySchema)),
});
export type TrafficPolicy = Static<typeof TrafficPolicySchema>;

/** `Subset`: a named set of endpoints of the host, selected by labels (usually `version`). */
export const SubsetSchema = Strict({
  /** Subset name, referenced by `Destination.subset`. */
  name: Type.String({ minLength: 1 }),
  /** Labels selecting the endpoints of this subset. */
  labels: Type.Optional(StringMap()),
  /** Policies for this subset; override the DestinationRule-level ones. */
  trafficPolicy: Type.Optional(TrafficPolicySchema),
});
export type Subset = Static<typeof SubsetSchema>;

/** The spec of a DestinationRule. */
export const DestinationRuleSpecSchema = Strict(
  {
    /** The service the rule applies to, e.g. `reviews.default.svc.cluster.local`. */
    host: Type.String({ minLength: 1, description: 'The name of a service from the service registry.' }),
    /** Policies for all traffic to the host. */
    trafficPolicy: Type.Optional(TrafficPolicySchema),
    /** Named versions of the service. */
    subsets: Type.Optional(Type.Array(SubsetSchema)),
    /** Namespaces this rule is visible to. @default - all */
    exportTo: Type.Optional(ExportTo),
    /** Restrict the rule to these workloads (sidecars) only. */
    workloadSelector: Type.Optional(WorkloadSelectorSchema),
  },
  { description: 'Configuration affecting load balancing, outlier detection, etc.' },
);
export type DestinationRuleSpec = Static<typeof DestinationRuleSpecSchema>;
