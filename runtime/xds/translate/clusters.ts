/**
 * CDS: the clusters a proxy can use.
 * - `outbound|PORT||FQDN` for every port of every visible service and
 *   `outbound|PORT|SUBSET|FQDN` for every subset of its DestinationRule: EDS for
 *   mesh services (`eds_cluster_config.service_name` = the cluster name), STATIC,
 *   STRICT_DNS, LOGICAL_DNS or ORIGINAL_DST for ServiceEntries;
 * - the DestinationRule traffic policy (merged per subset and port, see
 *   traffic-policy.ts): lb_policy, connect_timeout (10s default), circuit
 *   breakers, outlier detection, HTTP protocol options;
 * - `inbound|PORT||` for the proxy's own workload ports;
 * - BlackHoleCluster and PassthroughCluster (and the inbound passthrough).
 */
import type { ConnectionPoolSettings, OutlierDetection, TrafficPolicy } from '../../../constructs/api';
import type { RegistryService, ServicePortInfo } from '../../config/service-registry';
import { isHttpProtocol } from '../../config/service-registry';
import {
  BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER, inboundClusterName, outboundClusterName,
} from './cluster-names';
import { FILTER, PlainMessage, TYPE, adsConfigSource, duration, durationSeconds, typed } from './envoy';
import { staticAssignment } from './endpoints';
import { loadBalancerFields } from './load-balancing';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';
import { serviceEntryDiscovery } from './service-entries';
import { effectiveTrafficPolicy } from './traffic-policy';

/** Istio's default connect timeout. */
export const DEFAULT_CONNECT_TIMEOUT = '10s';
/** Circuit breaker thresholds when unset: no limit (max uint32), as Istio. */
export const UNLIMITED = 4294967295;

/** One outbound cluster to build. */
export interface OutboundClusterPlan {
  readonly name: string;
  readonly service: RegistryService;
  readonly port: ServicePortInfo;
  readonly subset?: string;
  readonly subsetLabels?: Readonly<Record<string, string>>;
  readonly policy?: Pick<TrafficPolicy, 'loadBalancer' | 'connectionPool' | 'outlierDetection' | 'tls'>;
}

/** The outbound clusters of `services` for `proxy`: one per port, one per port and subset. */
export function planOutboundClusters(index: MeshIndex, proxy: ProxyIdentity, services: readonly RegistryService[]): OutboundClusterPlan[] {
  const plans: OutboundClusterPlan[] = [];
  for (const service of services) {
    const rule = index.destinationRule(service.hostname, service.namespace, proxy)?.spec;
    for (const port of service.ports) {
      const policy = effectiveTrafficPolicy(rule, undefined, port.port);
      plans.push({ name: outboundClusterName(port.port, undefined, service.hostname), service, port, ...(policy ? { policy } : {}) });
      for (const subset of rule?.subsets ?? []) {
        const subsetPolicy = effectiveTrafficPolicy(rule, subset.name, port.port);
        plans.push({
          name: outboundClusterName(port.port, subset.name, service.hostname),
          service, port, subset: subset.name, subsetLabels: subset.labels ?? {},
          ...(subsetPolicy ? { policy: subsetPolicy } : {}),
        });
      }
    }
  }
  return plans;
}

/** Whether the plan's cluster is discovered through EDS (after PASSTHROUGH is applied). */
export function isEdsPlan(plan: OutboundClusterPlan): boolean {
  return plan.service.resolution === 'EDS' && plan.policy?.loadBalancer?.simple !== 'PASSTHROUGH';
}

/** The cluster of a plan. */
export function outboundCluster(plan: OutboundClusterPlan): PlainMessage {
  const discovery: PlainMessage = plan.service.resolution === 'EDS'
    ? { type: 'EDS', eds_cluster_config: { eds_config: adsConfigSource(), service_name: plan.name } }
    : serviceEntryDiscovery(plan.name, plan.service, plan.port, plan.subsetLabels);
  const policy = plan.policy ?? {};
  const lb = discovery.type === 'ORIGINAL_DST' ? { lb_policy: 'CLUSTER_PROVIDED' } : loadBalancerFields(policy.loadBalancer);
  const cluster: PlainMessage = {
    name: plan.name,
    ...discovery,
    connect_timeout: duration(policy.connectionPool?.tcp?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT),
    ...lb,
    circuit_breakers: { thresholds: [thresholds(policy.connectionPool)] },
  };
  if (cluster.type === 'ORIGINAL_DST') {
    delete cluster.eds_cluster_config;
    delete cluster.load_assignment;
  }
  const outlier = outlierDetection(policy.outlierDetection);
  if (outlier) cluster.outlier_detection = outlier;
  if (policy.outlierDetection?.minHealthPercent !== undefined) {
    cluster.common_lb_config = { healthy_panic_threshold: { value: policy.outlierDetection.minHealthPercent } };
  }
  const keepalive = policy.connectionPool?.tcp?.tcpKeepalive;
  if (keepalive) {
    cluster.upstream_connection_options = {
      tcp_keepalive: {
        ...(keepalive.probes !== undefined ? { keepalive_probes: keepalive.probes } : {}),
        ...(keepalive.time !== undefined ? { keepalive_time: durationSeconds(keepalive.time) } : {}),
        ...(keepalive.interval !== undefined ? { keepalive_interval: durationSeconds(keepalive.interval) } : {}),
      },
    };
  }
  const options = protocolOptions(plan.port, policy.connectionPool);
  if (options) cluster.typed_extension_protocol_options = { [FILTER.httpProtocolOptions]: options };
  return cluster;
}

/** Circuit breaker thresholds from connectionPool; unset limits are unlimited. */
export function thresholds(pool: ConnectionPoolSettings | undefined): PlainMessage {
  const positive = (v: number | undefined): number => (v !== undefined && v > 0 ? v : UNLIMITED);
  return {
    max_connections: positive(pool?.tcp?.maxConnections),
    max_pending_requests: positive(pool?.http?.http1MaxPendingRequests),
    max_requests: positive(pool?.http?.http2MaxRequests),
    max_retries: positive(pool?.http?.maxRetries),
    track_remaining: true,
  };
}

/** Outlier detection as Istio sets it: enforcing 100% for each enabled error kind, success-rate ejection off. */
export function outlierDetection(od: OutlierDetection | undefined): PlainMessage | undefined {
  if (!od) return undefined;
  const out: PlainMessage = { enforcing_success_rate: 0 };
  if (od.consecutive5xxErrors !== undefined) {
    out.consecutive_5xx = od.consecutive5xxErrors;
    out.enforcing_consecutive_5xx = od.consecutive5xxErrors > 0 ? 100 : 0;
  }
  if (od.consecutiveGatewayErrors !== undefined) {
    out.consecutive_gateway_failure = od.consecutiveGatewayErrors;
    out.enforcing_consecutive_gateway_failure = od.consecutiveGatewayErrors > 0 ? 100 : 0;
  }
  if (od.consecutiveErrors !== undefined && od.consecutiveErrors > 0 && od.consecutive5xxErrors === undefined) {
    // The deprecated field counts gateway errors only.
    out.consecutive_gateway_failure = od.consecutiveErrors;
    out.enforcing_consecutive_gateway_failure = 100;
    out.enforcing_consecutive_5xx = 0;
  }
  if (od.interval !== undefined) out.interval = duration(od.interval);
  if (od.baseEjectionTime !== undefined) out.base_ejection_time = duration(od.baseEjectionTime);
  if (od.maxEjectionPercent !== undefined && od.maxEjectionPercent > 0) out.max_ejection_percent = od.maxEjectionPercent;
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if (od.consecutiveLocalOriginFailures !== undefined && od.consecutiveLocalOriginFailures > 0) {
      out.consecutive_local_origin_failure = od.consecutiveLocalOriginFailures;
      out.enforcing_consecutive_local_origin_failure = 100;
    }
    out.enforcing_local_origin_success_rate = 0;
  }
  return out;
}

/**
 * `envoy.extensions.upstreams.http.v3.HttpProtocolOptions` for HTTP/2 and gRPC
 * ports, and for any HTTP port with idle timeout, requests per connection or
 * connection duration limits; `undefined` when nothing needs saying.
 */
export function protocolOptions(port: ServicePortInfo, pool: ConnectionPoolSettings | undefined): PlainMessage | undefined {
  const http = pool?.http;
  const common: PlainMessage = {
    ...(http?.idleTimeout !== undefined ? { idle_timeout: duration(http.idleTimeout) } : {}),
    ...(http?.maxRequestsPerConnection !== undefined && http.maxRequestsPerConnection > 0 ? { max_requests_per_connection: http.maxRequestsPerConnection } : {}),
    ...(pool?.tcp?.maxConnectionDuration !== undefined ? { max_connection_duration: duration(pool.tcp.maxConnectionDuration) } : {}),
  };
  const h2 = ['HTTP2', 'GRPC', 'GRPC-WEB'].includes(port.protocol) || http?.h2UpgradePolicy === 'UPGRADE';
  const hasCommon = Object.keys(common).length > 0;
  if (!h2 && !hasCommon) return undefined;
  if (!h2 && !isHttpProtocol(port.protocol)) return undefined;
  const upstream: PlainMessage = h2
    ? { explicit_http_config: { http2_protocol_options: {} } }
    : port.protocol === 'HTTP'
      ? { explicit_http_config: { http_protocol_options: {} } }
      : { use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} } };
  return typed(TYPE.httpProtocolOptions, { ...(hasCommon ? { common_http_protocol_options: common } : {}), ...upstream });
}

/** `inbound|PORT||`: a STATIC cluster to where the workload listens. */
export function inboundCluster(port: number, target: { address: string; port: number } | { pipe: string }): PlainMessage {
  const name = inboundClusterName(port);
  const assignment = 'pipe' in target
    ? { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: target.pipe } } } }] }] }
    : staticAssignment(name, [target]);
  return {
    name,
    type: 'STATIC',
    connect_timeout: duration(DEFAULT_CONNECT_TIMEOUT),
    lb_policy: 'ROUND_ROBIN',
    circuit_breakers: { thresholds: [thresholds(undefined)] },
    load_assignment: assignment,
  };
}

export function blackholeCluster(): PlainMessage {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: duration(DEFAULT_CONNECT_TIMEOUT), load_assignment: { cluster_name: BLACKHOLE_CLUSTER } };
}

export function passthroughCluster(name: string = PASSTHROUGH_CLUSTER): PlainMessage {
  return {
    name,
    type: 'ORIGINAL_DST',
    connect_timeout: duration(DEFAULT_CONNECT_TIMEOUT),
    lb_policy: 'CLUSTER_PROVIDED',
    circuit_breakers: { thresholds: [thresholds(undefined)] },
  };
}

export function inboundPassthroughCluster(): PlainMessage {
  return passthroughCluster(INBOUND_PASSTHROUGH_CLUSTER);
}
