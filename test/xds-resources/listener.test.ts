/** Listener, HTTP connection manager and TCP proxy: valid shapes and exact field-path errors. */
import { decodeListener, Listener } from '../../runtime/xds/resources';

type Plain = Record<string, unknown>;
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };
const FAULT = { name: 'envoy.filters.http.fault', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' } };
const RDS = { route_config_name: '9080', config_source: { ads: {}, resource_api_version: 'V3' } };

function hcm(fields: Plain): Plain {
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, stat_prefix: 'outbound_9080', rds: RDS, http_filters: [FAULT, ROUTER], ...fields } };
}
function listener(filters: Plain[], extra: Plain = {}): Plain {
  return { name: '0.0.0.0_9080', address: { socket_address: { address: '0.0.0.0', port_value: 9080 } }, filter_chains: [{ filters }], ...extra };
}
function errors(plain: Plain): string[] {
  const r = decodeListener(plain);
  return r.ok ? [] : r.errors;
}
function value(plain: Plain): Listener {
  const r = decodeListener(plain);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

describe('decodeListener', () => {
  it('decodes an RDS HTTP listener with Envoy defaults', () => {
    const l = value(listener([hcm({})]));
    expect(l).toMatchObject({ name: '0.0.0.0_9080', address: { kind: 'socket', address: '0.0.0.0', port: 9080, protocol: 'TCP' }, bindToPort: true, useOriginalDst: false, trafficDirection: 'UNSPECIFIED', listenerFiltersTimeoutMs: 15000 });
    const f = l.filterChains[0]?.filters[0];
    expect(f?.kind).toBe('httpConnectionManager');
    if (f?.kind !== 'httpConnectionManager') return;
    expect(f.config).toMatchObject({ statPrefix: 'outbound_9080', routeSource: { kind: 'rds', routeConfigName: '9080' }, codec: 'AUTO', streamIdleTimeoutMs: 300000, generateRequestId: true });
    expect(f.config.httpFilters.map((x) => x.kind)).toEqual(['fault', 'router']);
  });

  it('decodes an inline route configuration and a TCP proxy', () => {
    const inline = value(listener([hcm({ rds: undefined, route_config: { virtual_hosts: [{ name: 'in', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|9080||' } }] }] } })]));
    const f = inline.filterChains[0]?.filters[0];
    expect(f?.kind === 'httpConnectionManager' && f.config.routeSource.kind).toBe('inline');
    const tcp = value(listener([{ name: 'tcp', typed_config: { '@type': TCP, stat_prefix: 'db', cluster: 'db', idle_timeout: '60s' } }]));
    expect(tcp.filterChains[0]?.filters[0]).toEqual({ name: 'tcp', kind: 'tcpProxy', config: { statPrefix: 'db', cluster: { kind: 'cluster', name: 'db' }, idleTimeoutMs: 60000, maxConnectAttempts: 1, hashBySourceIp: false } });
  });

  it('requires a name, an address and a filter chain', () => {
    expect(errors({})).toEqual(['name: is required', 'address: is required', 'filter_chains: a listener needs at least one filter chain or a default_filter_chain']);
  });

  it('checks ports and IP addresses', () => {
    expect(errors(listener([hcm({})], { address: { socket_address: { address: 'example.com', port_value: 65536 } } }))).toEqual([
      'address.socket_address.port_value: must be between 0 and 65535 (got 65536)',
      "address.socket_address.address: expected an IP address, got 'example.com'",
    ]);
  });

  it('requires exactly one route source, a stat prefix and an ADS config source', () => {
    expect(errors(listener([hcm({ rds: undefined, stat_prefix: '' })]))).toEqual([
      'filter_chains[0].filters[0].typed_config.stat_prefix: must not be empty',
      'filter_chains[0].filters[0].typed_config: exactly one of rds, route_config, scoped_routes is required',
    ]);
    expect(errors(listener([hcm({ rds: { route_config_name: 'x', config_source: { path: '/etc/routes.yaml' } } })]))).toEqual([
      'filter_chains[0].filters[0].typed_config.rds.config_source.path: only ADS config sources (ads or self) are supported',
    ]);
  });

  describe('HTTP filters', () => {
    it('requires the router last', () => {
      expect(errors(listener([hcm({ http_filters: [ROUTER, FAULT] })]))).toEqual([
        'filter_chains[0].filters[0].typed_config.http_filters[0]: the router filter must be the last HTTP filter',
        "filter_chains[0].filters[0].typed_config.http_filters[1]: the last HTTP filter must be the router (got 'envoy.filters.http.fault')",
      ]);
    });

    it('rejects unknown filters unless optional, and duplicate names', () => {
      const unknown = { name: 'acme', typed_config: { '@type': 'type.googleapis.com/acme.Filter' } };
      expect(errors(listener([hcm({ http_filters: [unknown, ROUTER] })]))).toEqual([
        "filter_chains[0].filters[0].typed_config.http_filters[0].typed_config: unsupported HTTP filter type 'type.googleapis.com/acme.Filter' (set is_optional to let proxies skip it)",
      ]);
      const l = value(listener([hcm({ http_filters: [{ ...unknown, is_optional: true }, ROUTER] })]));
      const f = l.filterChains[0]?.filters[0];
      expect(f?.kind === 'httpConnectionManager' && f.config.httpFilters.map((x) => x.name)).toEqual(['envoy.filters.http.router']);
      expect(errors(listener([hcm({ http_filters: [FAULT, FAULT, ROUTER] })]))).toEqual([
        "filter_chains[0].filters[0].typed_config.http_filters[1].name: duplicate HTTP filter name 'envoy.filters.http.fault' (also http_filters[0])",
      ]);
    });

    it('defaults to the router alone when none are given', () => {
      const f = value(listener([hcm({ http_filters: [] })])).filterChains[0]?.filters[0];
      expect(f?.kind === 'httpConnectionManager' && f.config.httpFilters.map((x) => x.kind)).toEqual(['router']);
    });
  });

  it('rejects unknown network filters and terminal filters before the end', () => {
    expect(errors(listener([{ name: 'x', typed_config: { '@type': 'type.googleapis.com/acme.Net' } }]))).toEqual([
      "filter_chains[0].filters[0].typed_config: unsupported network filter type 'type.googleapis.com/acme.Net'",
    ]);
    const tcp = { name: 'tcp', typed_config: { '@type': TCP, stat_prefix: 'db', cluster: 'db' } };
    expect(errors(listener([tcp, hcm({})]))).toEqual(["filter_chains[0].filters[0]: terminal filter 'tcp' must be the last network filter of the chain"]);
  });

  it('rejects filter chains with the same match', () => {
    const chain = (port: number): Plain => ({ filter_chain_match: { destination_port: port }, filters: [hcm({})] });
    expect(errors(listener([], { filter_chains: [chain(9080), chain(9090), chain(9080)] }))).toEqual([
      'filter_chains[2].filter_chain_match: same match as filter_chains[0] (each filter chain must match differently)',
    ]);
  });

  it.each([[0, false], [1, true], [65535, true], [65536, false]])('filter chain destination_port %d valid: %s', (port, valid) => {
    const e = errors(listener([], { filter_chains: [{ filter_chain_match: { destination_port: port }, filters: [hcm({})] }] }));
    expect(e).toEqual(valid ? [] : [`filter_chains[0].filter_chain_match.destination_port: must be between 1 and 65535 (got ${port})`]);
  });

  it('checks TCP proxy clusters and weights', () => {
    const tcp = (fields: Plain): Plain => ({ name: 'tcp', typed_config: { '@type': TCP, stat_prefix: 'db', ...fields } });
    expect(errors(listener([tcp({})]))).toEqual(['filter_chains[0].filters[0].typed_config: exactly one of cluster, weighted_clusters is required']);
    expect(errors(listener([tcp({ weighted_clusters: { clusters: [{ name: 'a', weight: 0 }] } })]))).toEqual([
      'filter_chains[0].filters[0].typed_config.weighted_clusters.clusters[0].weight: must be between 1 and 4294967295 (got 0)',
    ]);
    const ok = value(listener([tcp({ weighted_clusters: { clusters: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }] } })]));
    expect(ok.filterChains[0]?.filters[0]?.config).toMatchObject({ cluster: { kind: 'weighted', totalWeight: 4 } });
  });

  it('reads listener filters and rejects unknown ones', () => {
    const l = value(listener([hcm({})], { listener_filters: [{ name: 'envoy.filters.listener.original_dst', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' } }] }));
    expect(l.listenerFilters).toEqual([{ name: 'envoy.filters.listener.original_dst', kind: 'originalDst' }]);
    expect(errors(listener([hcm({})], { listener_filters: [{ name: 'x', typed_config: { '@type': 'type.googleapis.com/acme.L' } }] }))).toEqual([
      "listener_filters[0].typed_config: unsupported listener filter type 'type.googleapis.com/acme.L'",
    ]);
  });

  it('reads a downstream TLS transport socket outline', () => {
    const l = value(listener([], {
      filter_chains: [{
        filters: [hcm({})],
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
            require_client_certificate: true,
            common_tls_context: { alpn_protocols: ['h2'], tls_certificate_sds_secret_configs: [{ name: 'default' }], validation_context_sds_secret_config: { name: 'ROOTCA' } },
          },
        },
      }],
    }));
    expect(l.filterChains[0]?.transportSocket).toEqual({ kind: 'downstreamTls', requireClientCertificate: true, alpnProtocols: ['h2'], certificateSecrets: ['default'], validationSecret: 'ROOTCA', matchSubjectAltNames: [] });
  });
});
