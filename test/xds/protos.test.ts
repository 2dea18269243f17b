import { isKnownMessageType, packResource, structToJson, unpackResource } from '../../runtime/xds/protos';
import { FilterTypeUrl, TypeUrl } from '../../runtime/xds/resource-types';
import { NODE, listener9080, reviewsCluster, reviewsEndpoints, routeConfig9080 } from './fixtures';

describe('packResource / unpackResource', () => {
  test('a listener round-trips, its HCM typed_config in @type form', () => {
    const any = packResource(TypeUrl.Listener, listener9080());
    expect(any.type_url).toBe(TypeUrl.Listener);
    expect(Buffer.isBuffer(any.value)).toBe(true);

    const back = unpackResource(any);
    expect(back).toEqual(listener9080());
  });

  test.each([
    ['RouteConfiguration', TypeUrl.RouteConfiguration, routeConfig9080('3s')],
    ['Cluster', TypeUrl.Cluster, reviewsCluster()],
    ['ClusterLoadAssignment', TypeUrl.ClusterLoadAssignment, reviewsEndpoints()],
  ])('a %s round-trips', (_name, typeUrl, resource) => {
    expect(unpackResource(packResource(typeUrl, resource))).toEqual(resource);
  });

  test('a Secret and a tcp_proxy filter config pack', () => {
    const secret = { name: 'default', tls_certificate: { certificate_chain: { inline_string: 'PEM' } } };
    expect(unpackResource(packResource(TypeUrl.Secret, secret))).toEqual(secret);
    const tcp = { stat_prefix: 'outbound|3306||mysql', cluster: 'outbound|3306||mysql.default.svc.cluster.local' };
    expect(unpackResource(packResource(FilterTypeUrl.TcpProxy, tcp))).toEqual(tcp);
  });

  test('well-known types use the proto3 JSON forms: durations, wrappers, Struct', () => {
    const cluster = {
      ...reviewsCluster(),
      connect_timeout: '0.25s',
      per_connection_buffer_limit_bytes: 32768,
      metadata: { filter_metadata: { istio: { services: [{ host: 'reviews.default.svc.cluster.local', port: 9080 }] } } },
    };
    const back = unpackResource(packResource(TypeUrl.Cluster, cluster));
    expect(back).toEqual(cluster);
  });

  test('a malformed duration is an error naming its path', () => {
    expect(() => packResource(TypeUrl.Cluster, { ...reviewsCluster(), connect_timeout: '10 seconds' })).toThrow(
      /connect_timeout: invalid duration '10 seconds'/,
    );
  });

  test('an unknown field is an error naming its path', () => {
    const bad = listener9080();
    (bad.address as Record<string, unknown>).socket_adress = {};
    expect(() => packResource(TypeUrl.Listener, bad)).toThrow(/address\.socket_adress: unknown field of Address/);
  });

  test('an unknown nested @type is an error naming its path', () => {
    const bad = {
      name: 'l',
      filter_chains: [{ filters: [{ name: 'x', typed_config: { '@type': 'type.googleapis.com/no.such.Message' } }] }],
    };
    expect(() => packResource(TypeUrl.Listener, bad)).toThrow(
      /filter_chains\[0\]\.filters\[0\]\.typed_config\.@type: unknown type URL 'type.googleapis.com\/no.such.Message'/,
    );
  });

  test('an unknown resource type URL is an error', () => {
    expect(isKnownMessageType('type.googleapis.com/no.such.Message')).toBe(false);
    expect(() => packResource('type.googleapis.com/no.such.Message', {})).toThrow(/unknown type URL/);
  });
});

describe('structToJson', () => {
  test('converts node metadata', () => {
    expect(structToJson(NODE.metadata)).toEqual({ NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' } });
  });
});
