/** Cluster and ClusterLoadAssignment: discovery types, policies, defaults, and exact field-path errors. */
import { Cluster, ClusterLoadAssignment, decodeCluster, decodeClusterLoadAssignment } from '../../runtime/xds/resources';

type Plain = Record<string, unknown>;
const ADS = { ads: {}, resource_api_version: 'V3' };
const eds = (extra: Plain = {}): Plain => ({ name: 'outbound|9080||reviews', type: 'EDS', eds_cluster_config: { eds_config: ADS }, connect_timeout: '1s', ...extra });
const assignment = (addresses: string[], name = 'c'): Plain => ({
  cluster_name: name,
  endpoints: [{ lb_endpoints: addresses.map((address) => ({ endpoint: { address: { socket_address: { address, port_value: 80 } } } })) }],
});

function errors(plain: Plain): string[] {
  const r = decodeCluster(plain);
  return r.ok ? [] : r.errors;
}
function value(plain: Plain): Cluster {
  const r = decodeCluster(plain);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

describe('decodeCluster', () => {
  it('fills Envoy defaults for an EDS cluster', () => {
    expect(value({ name: 'c', type: 'EDS', eds_cluster_config: { eds_config: ADS } })).toEqual({
      name: 'c',
      discovery: { type: 'EDS', serviceName: 'c' },
      connectTimeoutMs: 5000,
      lbPolicy: 'ROUND_ROBIN',
      circuitBreakers: {
        default: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false },
        high: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3, trackRemaining: false },
      },
      healthyPanicThreshold: 0.5,
      upstreamHttp: { protocol: 'http1' },
    });
  });

  it('decodes policies: least request, circuit breakers, outlier detection, HTTP/2 options', () => {
    const c = value(eds({
      lb_policy: 'LEAST_REQUEST',
      circuit_breakers: { thresholds: [{ max_connections: 10, max_retries: 0 }, { priority: 'HIGH', max_requests: 5 }] },
      outlier_detection: { consecutive_5xx: 2, interval: '0.5s', max_ejection_percent: 100, enforcing_consecutive_gateway_failure: 50 },
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          common_http_protocol_options: { idle_timeout: '30s', max_requests_per_connection: 1 },
          explicit_http_config: { http2_protocol_options: { max_concurrent_streams: 100 } },
        },
      },
    }));
    expect(c.leastRequest).toEqual({ choiceCount: 2 });
    expect(c.circuitBreakers.default).toMatchObject({ maxConnections: 10, maxRetries: 0, maxRequests: 1024 });
    expect(c.circuitBreakers.high.maxRequests).toBe(5);
    expect(c.outlierDetection).toMatchObject({ consecutive5xx: 2, intervalMs: 500, maxEjectionFraction: 1, enforcingConsecutiveGatewayFailure: 0.5, baseEjectionTimeMs: 30000, successRateStdevFactor: 1.9 });
    expect(c.upstreamHttp).toEqual({ protocol: 'http2', idleTimeoutMs: 30000, maxRequestsPerConnection: 1, maxConcurrentStreams: 100 });
  });

  it('requires a name and an EDS config, over ADS', () => {
    expect(errors({ type: 'EDS' })).toEqual(['name: is required', 'eds_cluster_config: is required']);
    expect(errors(eds({ eds_cluster_config: { eds_config: { path: '/x' } } }))).toEqual([
      'eds_cluster_config.eds_config.path: only ADS config sources (ads or self) are supported',
    ]);
  });

  it('rejects unknown and unsupported enum values', () => {
    expect(errors(eds({ type: 'MAGIC' }))).toEqual(["type: unknown value 'MAGIC' (expected one of STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST)"]);
    expect(errors(eds({ lb_policy: 'LOAD_BALANCING_POLICY_CONFIG' }))).toEqual([
      "lb_policy: unsupported value 'LOAD_BALANCING_POLICY_CONFIG' (expected one of ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV, CLUSTER_PROVIDED)",
    ]);
  });

  it.each([['0s', false], ['0.001s', true], ['-1s', false]])('connect_timeout %s valid: %s', (timeout, valid) => {
    const e = errors(eds({ connect_timeout: timeout }));
    expect(e).toEqual(valid ? [] : [`connect_timeout: must be greater than 0s (got ${timeout})`]);
  });

  it('ties ORIGINAL_DST and CLUSTER_PROVIDED together', () => {
    expect(errors({ name: 'p', type: 'ORIGINAL_DST', lb_policy: 'ROUND_ROBIN' })).toEqual(['lb_policy: must be CLUSTER_PROVIDED for an ORIGINAL_DST cluster (got ROUND_ROBIN)']);
    expect(errors(eds({ lb_policy: 'CLUSTER_PROVIDED' }))).toEqual(['lb_policy: CLUSTER_PROVIDED is only valid for ORIGINAL_DST clusters (got type EDS)']);
    expect(errors({ name: 'p', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED', load_assignment: assignment([]) })).toEqual([
      'load_assignment: must not be set for an ORIGINAL_DST cluster',
    ]);
    expect(value({ name: 'p', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' }).discovery).toEqual({ type: 'ORIGINAL_DST' });
  });

  it('requires IP endpoints for STATIC, allows host names for DNS, and one endpoint for LOGICAL_DNS', () => {
    expect(value({ name: 's', type: 'STATIC', load_assignment: assignment(['10.0.0.1', '::1']) }).discovery.type).toBe('STATIC');
    expect(errors({ name: 's', type: 'STATIC', load_assignment: assignment(['httpbin.org']) })).toEqual([
      "load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: expected an IP address, got 'httpbin.org'",
    ]);
    expect(value({ name: 'd', type: 'STRICT_DNS', dns_lookup_family: 'V4_ONLY', load_assignment: assignment(['httpbin.org']) }).discovery)
      .toMatchObject({ type: 'STRICT_DNS', dnsLookupFamily: 'V4_ONLY', dnsRefreshRateMs: 5000 });
    expect(errors({ name: 'd', type: 'LOGICAL_DNS', load_assignment: assignment(['a.org', 'b.org']) })).toEqual([
      'load_assignment.endpoints: a LOGICAL_DNS cluster must have exactly one locality with exactly one endpoint (got 2 endpoints in 1 localities)',
    ]);
    expect(errors({ name: 'd', type: 'STRICT_DNS' })).toEqual(['load_assignment: is required for a STRICT_DNS cluster']);
  });

  describe('ring hash and maglev bounds', () => {
    it.each([[0, false], [1, true], [8388608, true], [8388609, false]])('minimum_ring_size %d valid: %s', (size, valid) => {
      const e = errors(eds({ lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: size } }));
      expect(e).toEqual(valid ? [] : [`ring_hash_lb_config.minimum_ring_size: must be between 1 and 8388608 (got ${size})`]);
    });

    it('rejects a minimum above the maximum, and a non-prime maglev table', () => {
      expect(errors(eds({ lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: 2048, maximum_ring_size: 1024 } }))).toEqual([
        'ring_hash_lb_config.minimum_ring_size: must not exceed maximum_ring_size (got 2048 > 1024)',
      ]);
      expect(errors(eds({ lb_policy: 'MAGLEV', maglev_lb_config: { table_size: 65536 } }))).toEqual(['maglev_lb_config.table_size: must be a prime number (got 65536)']);
      expect(value(eds({ lb_policy: 'MAGLEV' })).maglev).toEqual({ tableSize: 65537 });
    });
  });

  describe('outlier detection bounds', () => {
    it.each([[100, true], [101, false]])('max_ejection_percent %d valid: %s', (pct, valid) => {
      const e = errors(eds({ outlier_detection: { max_ejection_percent: pct } }));
      expect(e).toEqual(valid ? [] : [`outlier_detection.max_ejection_percent: must be between 0 and 100 (got ${pct})`]);
    });

    it('requires max_ejection_time >= base_ejection_time and a positive interval', () => {
      expect(errors(eds({ outlier_detection: { base_ejection_time: '60s', max_ejection_time: '30s', interval: '0s' } }))).toEqual([
        'outlier_detection.max_ejection_time: must be at least base_ejection_time (got 30000ms < 60000ms)',
        'outlier_detection.interval: must be greater than 0s (got 0s)',
      ]);
    });
  });

  it('rejects duplicate circuit breaker priorities and healthy_panic_threshold above 100', () => {
    expect(errors(eds({ circuit_breakers: { thresholds: [{}, { priority: 'DEFAULT' }] }, common_lb_config: { healthy_panic_threshold: { value: 101 } } }))).toEqual([
      'circuit_breakers.thresholds[1].priority: duplicate thresholds for priority DEFAULT',
      'common_lb_config.healthy_panic_threshold.value: must be between 0 and 100 (got 101)',
    ]);
  });

  it('rejects mixing protocol options, and max_requests_per_connection twice', () => {
    const typed = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        common_http_protocol_options: { max_requests_per_connection: 2 },
        explicit_http_config: { http_protocol_options: {} },
      },
    };
    expect(errors(eds({ typed_extension_protocol_options: typed, http2_protocol_options: {}, max_requests_per_connection: 3 }))).toEqual([
      'http2_protocol_options: cannot be set together with typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]',
      'max_requests_per_connection: cannot be set together with the max_requests_per_connection of typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]',
    ]);
    expect(value(eds({ max_requests_per_connection: 3 })).upstreamHttp).toEqual({ protocol: 'http1', maxRequestsPerConnection: 3 });
    expect(errors(eds({ typed_extension_protocol_options: { 'acme.Options': { '@type': 'type.googleapis.com/acme.Options' } } }))).toEqual([
      "typed_extension_protocol_options[acme.Options]: unsupported protocol options 'acme.Options' of type 'type.googleapis.com/acme.Options' (expected envoy.extensions.upstreams.http.v3.HttpProtocolOptions)",
    ]);
  });

  it('reads an upstream TLS transport socket outline and rejects inline certificates', () => {
    const tls = (common: Plain): Plain => eds({ transport_socket: { name: 'tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', sni: 'reviews', common_tls_context: common } } });
    expect(value(tls({ alpn_protocols: ['istio'] })).transportSocket).toEqual({ kind: 'upstreamTls', sni: 'reviews', alpnProtocols: ['istio'], certificateSecrets: [], matchSubjectAltNames: [] });
    expect(errors(tls({ tls_certificates: [{}] }))).toEqual(['transport_socket.typed_config.common_tls_context.tls_certificates: is not supported (deliver certificates over SDS)']);
  });
});

describe('decodeClusterLoadAssignment', () => {
  function claErrors(plain: Plain): string[] {
    const r = decodeClusterLoadAssignment(plain);
    return r.ok ? [] : r.errors;
  }
  function cla(plain: Plain): ClusterLoadAssignment {
    const r = decodeClusterLoadAssignment(plain);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.value;
  }

  it('decodes endpoints with health, weight, locality and labels', () => {
    const v = cla({
      cluster_name: 'outbound|9080|v1|reviews',
      endpoints: [{
        locality: { region: 'eu', zone: 'eu-1', sub_zone: 'a' },
        priority: 1,
        load_balancing_weight: 3,
        lb_endpoints: [{
          endpoint: { address: { socket_address: { address: '10.0.1.7', port_value: 9080 } } },
          health_status: 'UNHEALTHY',
          load_balancing_weight: 2,
          metadata: { filter_metadata: { 'envoy.lb': { version: 'v1', canary: true }, istio: { workload: 'reviews-v1' } } },
        }],
      }],
    });
    expect(v).toEqual({
      clusterName: 'outbound|9080|v1|reviews',
      localities: [{
        locality: { region: 'eu', zone: 'eu-1', subZone: 'a' },
        weight: 3,
        priority: 1,
        endpoints: [{
          address: { kind: 'socket', address: '10.0.1.7', port: 9080, protocol: 'TCP' },
          healthStatus: 'UNHEALTHY',
          weight: 2,
          metadata: { 'envoy.lb': { version: 'v1', canary: true }, istio: { workload: 'reviews-v1' } },
          labels: { version: 'v1' },
        }],
      }],
      dropOverloads: [],
      overprovisioningFactor: 140,
    });
  });

  it('defaults health to UNKNOWN and weight to 1', () => {
    expect(cla(assignment(['10.0.0.1'])).localities[0]?.endpoints[0]).toMatchObject({ healthStatus: 'UNKNOWN', weight: 1, labels: {} });
  });

  it('requires a cluster name, an address, and IP literals', () => {
    expect(claErrors({ endpoints: [{ lb_endpoints: [{ endpoint: {} }, { endpoint: { address: { socket_address: { address: 'reviews', port_value: 1 } } } }] }] })).toEqual([
      'cluster_name: is required',
      'endpoints[0].lb_endpoints[0].endpoint.address: is required',
      "endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address: expected an IP address, got 'reviews'",
    ]);
  });

  it.each([[0, false], [1, true], [4294967295, true], [4294967296, false]])('endpoint load_balancing_weight %d valid: %s', (weight, valid) => {
    const plain = assignment(['10.0.0.1']);
    ((plain.endpoints as Plain[])[0]?.lb_endpoints as Plain[])[0]!.load_balancing_weight = weight;
    expect(claErrors(plain)).toEqual(valid ? [] : [`endpoints[0].lb_endpoints[0].load_balancing_weight: must be between 1 and 4294967295 (got ${weight})`]);
  });

  it('rejects unknown health statuses, priorities above 128 and duplicate localities', () => {
    expect(claErrors({
      cluster_name: 'c',
      endpoints: [
        { locality: { zone: 'a' }, priority: 129, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 1 } } }, health_status: 'SICK' }] },
        { locality: { zone: 'a' } },
        { locality: { zone: 'a' } },
      ],
    })).toEqual([
      'endpoints[0].priority: must be between 0 and 128 (got 129)',
      "endpoints[0].lb_endpoints[0].health_status: unknown value 'SICK' (expected one of UNKNOWN, HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, DEGRADED)",
      'endpoints[2].locality: duplicate locality in priority 0 (also endpoints[1])',
    ]);
  });

  it('reads drop overloads as fractions', () => {
    expect(cla({ cluster_name: 'c', policy: { drop_overloads: [{ category: 'lb', drop_percentage: { numerator: 5, denominator: 'TEN_THOUSAND' } }] } }).dropOverloads)
      .toEqual([{ category: 'lb', fraction: 0.0005 }]);
  });
});
