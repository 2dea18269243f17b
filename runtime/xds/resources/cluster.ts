/**
 * CDS: `envoy.config.cluster.v3.Cluster` → {@link Cluster}: how hosts are
 * discovered (EDS, STATIC, STRICT_DNS, LOGICAL_DNS, ORIGINAL_DST), balanced,
 * limited (circuit breakers), ejected (outlier detection) and spoken to
 * (HTTP options, transport socket).
 */
import { ClusterLoadAssignment, readClusterLoadAssignment } from './cluster-load-assignment';
import { OutlierDetection, decodeOutlierDetection } from './outlier-detection';
import { checkAdsConfigSource } from './private/config-source';
import { Issues, Message } from './private/reader';
import { percent } from './private/percent';
import { Result, fail, ok } from './result';
import { TransportSocket, decodeTransportSocket } from './transport-socket';
import { UpstreamHttpOptions, decodeUpstreamHttpOptions } from './upstream-http-options';

export type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV' | 'CLUSTER_PROVIDED';
export type DnsLookupFamily = 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';

export type ClusterDiscovery =
  /** Endpoints come over EDS under `serviceName` (the cluster's name unless set). */
  | { readonly type: 'EDS'; readonly serviceName: string }
  | { readonly type: 'STATIC'; readonly loadAssignment: ClusterLoadAssignment }
  | {
    readonly type: 'STRICT_DNS' | 'LOGICAL_DNS';
    readonly loadAssignment: ClusterLoadAssignment;
    readonly dnsLookupFamily: DnsLookupFamily;
    /** @default 5000 */
    readonly dnsRefreshRateMs: number;
    readonly respectDnsTtl: boolean;
  }
  /** The connection's original destination is the host. */
  | { readonly type: 'ORIGINAL_DST' };

/** Limits for one routing priority; Envoy's defaults when unset. */
export interface CircuitBreakerThresholds {
  /** @default 1024 */
  readonly maxConnections: number;
  /** @default 1024 */
  readonly maxPendingRequests: number;
  /** @default 1024 */
  readonly maxRequests: number;
  /** @default 3 */
  readonly maxRetries: number;
  readonly trackRemaining: boolean;
}

export interface RingHashConfig {
  /** @default 1024 */
  readonly minimumRingSize: number;
  /** @default 8388608 */
  readonly maximumRingSize: number;
  /** @default 'XX_HASH' */
  readonly hashFunction: 'XX_HASH' | 'MURMUR_HASH_2';
}

export interface TcpKeepalive {
  readonly probes?: number;
  readonly timeSeconds?: number;
  readonly intervalSeconds?: number;
}

export interface Cluster {
  readonly name: string;
  readonly discovery: ClusterDiscovery;
  /** @default 5000 */
  readonly connectTimeoutMs: number;
  /** @default 'ROUND_ROBIN' */
  readonly lbPolicy: LbPolicy;
  /** Set when lbPolicy is RING_HASH. */
  readonly ringHash?: RingHashConfig;
  /** Set when lbPolicy is MAGLEV. @default tableSize 65537 */
  readonly maglev?: { readonly tableSize: number };
  /** Set when lbPolicy is LEAST_REQUEST. @default choiceCount 2 */
  readonly leastRequest?: { readonly choiceCount: number };
  readonly circuitBreakers: { readonly default: CircuitBreakerThresholds; readonly high: CircuitBreakerThresholds };
  readonly outlierDetection?: OutlierDetection;
  /** Below this share of healthy hosts, balance over all hosts. @default 0.5 */
  readonly healthyPanicThreshold: number;
  readonly upstreamHttp: UpstreamHttpOptions;
  readonly transportSocket?: TransportSocket;
  readonly tcpKeepalive?: TcpKeepalive;
  readonly perConnectionBufferLimitBytes?: number;
}

const TYPES: readonly DiscoveryType[] = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'];
const LB_POLICIES: readonly LbPolicy[] = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'MAGLEV', 'CLUSTER_PROVIDED'];
/** Names by enum number (4 was ORIGINAL_DST_LB, 7 is LOAD_BALANCING_POLICY_CONFIG). */
const LB_POLICY_NAMES = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'ORIGINAL_DST_LB', 'MAGLEV', 'CLUSTER_PROVIDED', 'LOAD_BALANCING_POLICY_CONFIG'];
const MAX_RING_SIZE = 8_388_608;
const MAX_MAGLEV_TABLE_SIZE = 5_000_011;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_THRESHOLDS: CircuitBreakerThresholds = Object.freeze({
  maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false,
});

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;
  return true;
}

function decodeThresholds(m: Message): CircuitBreakerThresholds {
  m.unsupported(['retry_budget', 'max_connection_pools']);
  return {
    maxConnections: m.integer('max_connections') ?? DEFAULT_THRESHOLDS.maxConnections,
    maxPendingRequests: m.integer('max_pending_requests') ?? DEFAULT_THRESHOLDS.maxPendingRequests,
    maxRequests: m.integer('max_requests') ?? DEFAULT_THRESHOLDS.maxRequests,
    maxRetries: m.integer('max_retries') ?? DEFAULT_THRESHOLDS.maxRetries,
    trackRemaining: m.bool('track_remaining', false),
  };
}

function decodeCircuitBreakers(m: Message | undefined): Cluster['circuitBreakers'] {
  const out = { default: DEFAULT_THRESHOLDS, high: DEFAULT_THRESHOLDS };
  if (!m) return out;
  m.unsupported(['per_host_thresholds']);
  const seen = new Set<string>();
  for (const t of m.messages('thresholds')) {
    const priority = t.enumOf('priority', ['DEFAULT', 'HIGH'] as const, 'DEFAULT');
    if (seen.has(priority)) t.error('priority', `duplicate thresholds for priority ${priority}`);
    seen.add(priority);
    out[priority === 'HIGH' ? 'high' : 'default'] = decodeThresholds(t);
  }
  return out;
}

function decodeDiscovery(m: Message, name: string, type: DiscoveryType): ClusterDiscovery | undefined {
  const la = m.message('load_assignment');
  switch (type) {
    case 'EDS': {
      const eds = m.message('eds_cluster_config', { required: true });
      const source = eds?.message('eds_config', { required: true });
      if (source) checkAdsConfigSource(source);
      const serviceName = eds?.string('service_name') || name;
      return eds ? { type: 'EDS', serviceName } : undefined;
    }
    case 'ORIGINAL_DST':
      if (la) m.error('load_assignment', 'must not be set for an ORIGINAL_DST cluster');
      return { type: 'ORIGINAL_DST' };
    case 'STATIC': {
      const loadAssignment = la
        ? readClusterLoadAssignment(la, { ipOnly: true, requireName: false })
        : { clusterName: name, localities: [], dropOverloads: [], overprovisioningFactor: 140 };
      return loadAssignment ? { type: 'STATIC', loadAssignment } : undefined;
    }
    case 'STRICT_DNS':
    case 'LOGICAL_DNS': {
      const loadAssignment = la ? readClusterLoadAssignment(la, { ipOnly: false, requireName: false }) : undefined;
      if (!la) m.error('load_assignment', `is required for a ${type} cluster`);
      if (loadAssignment && type === 'LOGICAL_DNS') {
        const count = loadAssignment.localities.reduce((n, l) => n + l.endpoints.length, 0);
        if (loadAssignment.localities.length !== 1 || count !== 1) {
          la?.error('endpoints', `a LOGICAL_DNS cluster must have exactly one locality with exactly one endpoint (got ${count} endpoints in ${loadAssignment.localities.length} localities)`);
        }
      }
      const dnsLookupFamily = m.enumOf('dns_lookup_family', ['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL'] as const, 'AUTO');
      const dnsRefreshRateMs = m.duration('dns_refresh_rate', { sign: 'positive' }) ?? 5000;
      if (dnsRefreshRateMs < 1) m.error('dns_refresh_rate', `must be at least 1ms (got ${dnsRefreshRateMs}ms)`);
      const respectDnsTtl = m.bool('respect_dns_ttl', false);
      return loadAssignment ? { type, loadAssignment, dnsLookupFamily, dnsRefreshRateMs, respectDnsTtl } : undefined;
    }
  }
}

/** Decodes and validates an `envoy.config.cluster.v3.Cluster`. */
export function decodeCluster(plain: unknown): Result<Cluster> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  if (!m) return fail(issues.list);
  m.unsupported(['cluster_type', 'health_checks', 'lb_subset_config', 'transport_socket_matches', 'load_balancing_policy',
    'upstream_config', 'lrs_server', 'typed_dns_resolver_config', 'dns_resolvers', 'filters']);
  const name = m.string('name', { required: true }) ?? '';
  const type = m.enumOf('type', TYPES, 'STATIC');
  const discovery = decodeDiscovery(m, name, type);
  const connectTimeoutMs = m.duration('connect_timeout', { sign: 'positive' }) ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const lbPolicy = m.enumOf('lb_policy', LB_POLICIES, 'ROUND_ROBIN', LB_POLICY_NAMES);
  if (type === 'ORIGINAL_DST' && lbPolicy !== 'CLUSTER_PROVIDED') {
    m.error('lb_policy', `must be CLUSTER_PROVIDED for an ORIGINAL_DST cluster (got ${lbPolicy})`);
  } else if (type !== 'ORIGINAL_DST' && lbPolicy === 'CLUSTER_PROVIDED') {
    m.error('lb_policy', `CLUSTER_PROVIDED is only valid for ORIGINAL_DST clusters (got type ${type})`);
  }
  let ringHash: RingHashConfig | undefined;
  if (lbPolicy === 'RING_HASH') {
    const r = m.message('ring_hash_lb_config');
    const minimumRingSize = r?.integer('minimum_ring_size', { min: 1, max: MAX_RING_SIZE }) ?? 1024;
    const maximumRingSize = r?.integer('maximum_ring_size', { min: 1, max: MAX_RING_SIZE }) ?? MAX_RING_SIZE;
    if (minimumRingSize > maximumRingSize) r?.error('minimum_ring_size', `must not exceed maximum_ring_size (got ${minimumRingSize} > ${maximumRingSize})`);
    const hashFunction = r?.enumOf('hash_function', ['XX_HASH', 'MURMUR_HASH_2'] as const, 'XX_HASH') ?? 'XX_HASH';
    ringHash = { minimumRingSize, maximumRingSize, hashFunction };
  }
  let maglev: Cluster['maglev'];
  if (lbPolicy === 'MAGLEV') {
    const g = m.message('maglev_lb_config');
    const tableSize = g?.integer('table_size', { min: 1, max: MAX_MAGLEV_TABLE_SIZE }) ?? 65537;
    if (!isPrime(tableSize)) g?.error('table_size', `must be a prime number (got ${tableSize})`);
    maglev = { tableSize };
  }
  let leastRequest: Cluster['leastRequest'];
  if (lbPolicy === 'LEAST_REQUEST') {
    const l = m.message('least_request_lb_config');
    leastRequest = { choiceCount: l?.integer('choice_count', { min: 2 }) ?? 2 };
  }
  const circuitBreakers = decodeCircuitBreakers(m.message('circuit_breakers'));
  const od = m.message('outlier_detection');
  const outlierDetection = od ? decodeOutlierDetection(od) : undefined;
  const common = m.message('common_lb_config');
  common?.unsupported(['zone_aware_lb_config', 'consistent_hashing_lb_config', 'override_host_status']);
  const panic = common?.message('healthy_panic_threshold');
  const healthyPanicThreshold = panic ? percent(panic) : 0.5;
  const upstreamHttp = decodeUpstreamHttpOptions(m);
  const ts = m.message('transport_socket');
  const transportSocket = ts ? decodeTransportSocket(ts) : undefined;
  const keepalive = m.message('upstream_connection_options')?.message('tcp_keepalive');
  let tcpKeepalive: TcpKeepalive | undefined;
  if (keepalive) {
    const probes = keepalive.integer('keepalive_probes');
    const timeSeconds = keepalive.integer('keepalive_time');
    const intervalSeconds = keepalive.integer('keepalive_interval');
    tcpKeepalive = {
      ...(probes !== undefined ? { probes } : {}),
      ...(timeSeconds !== undefined ? { timeSeconds } : {}),
      ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    };
  }
  const perConnectionBufferLimitBytes = m.integer('per_connection_buffer_limit_bytes');
  if (!discovery || !issues.empty) return fail(issues.list);
  return ok({
    name, discovery, connectTimeoutMs, lbPolicy,
    ...(ringHash ? { ringHash } : {}),
    ...(maglev ? { maglev } : {}),
    ...(leastRequest ? { leastRequest } : {}),
    circuitBreakers,
    ...(outlierDetection ? { outlierDetection } : {}),
    healthyPanicThreshold,
    upstreamHttp,
    ...(transportSocket ? { transportSocket } : {}),
    ...(tcpKeepalive ? { tcpKeepalive } : {}),
    ...(perConnectionBufferLimitBytes !== undefined ? { perConnectionBufferLimitBytes } : {}),
  });
}
