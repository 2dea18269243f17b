/**
 * VHDS pieces without a network: splitting route configurations into virtual
 * host resources, decoding both halves, a delta stream whose subscription
 * names are namespaces, the state-of-the-world proxy refusing `vhds`, and the
 * debounce that counts the file source's settle time.
 */
import { ChangeDebouncer, MergedChange } from '../../runtime/control-plane/debouncer';
import type { ConfigChange } from '../../runtime/config/config-store';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import { decodeResponse } from '../../runtime/proxy/xds-client';
import { Snapshot } from '../../runtime/xds/cache';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, PlainMessage } from '../../runtime/xds/protos';
import { packResource } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { decodeResource } from '../../runtime/xds/resources';
import { handleDeltaStream } from '../../runtime/xds/server';
import { virtualHostsApart } from '../../runtime/xds/translate';
import { deltaRequest, listener9080, NODE_ID, reviewsCluster, reviewsEndpoints, routeConfig9080 } from './fixtures';
import { harness } from './harness';

function virtualHost(name: string, cluster = 'outbound|9080||reviews.default.svc.cluster.local'): PlainMessage {
  return { name, domains: [name.split(':')[0] as string], routes: [{ match: { prefix: '/' }, route: { cluster } }] };
}

function routeConfig(name: string, hosts: readonly PlainMessage[]): PlainMessage {
  return { name, virtual_hosts: hosts, validate_clusters: false };
}

function snapshotOf(routes: readonly PlainMessage[]): Snapshot {
  const byType = virtualHostsApart({
    [TypeUrl.Listener]: [listener9080()],
    [TypeUrl.RouteConfiguration]: routes,
    [TypeUrl.Cluster]: [reviewsCluster()],
    [TypeUrl.ClusterLoadAssignment]: [reviewsEndpoints()],
  });
  return Snapshot.create({ resources: byType });
}

const names = (r: DeltaDiscoveryResponse): string[] => r.resources.map((x) => x.name).sort();

describe('virtualHostsApart', () => {
  test('route configurations lose their virtual hosts to resources named <route configuration>/<virtual host>', () => {
    const split = virtualHostsApart({ [TypeUrl.RouteConfiguration]: [routeConfig9080()] });
    const routes = split[TypeUrl.RouteConfiguration] as PlainMessage[];
    expect(routes).toEqual([{ name: '9080', validate_clusters: false, vhds: { config_source: { ads: {}, resource_api_version: 'V3' } } }]);
    const hosts = split[TypeUrl.VirtualHost] as PlainMessage[];
    expect(hosts.map((h) => h.name)).toEqual(['9080/reviews.default.svc.cluster.local:9080']);
    expect(hosts[0]?.routes).toEqual((routeConfig9080().virtual_hosts as PlainMessage[])[0]?.routes);
  });

  test('a shared list is split once: the same input list gives the same output lists', () => {
    const shared = [routeConfig9080()];
    const a = virtualHostsApart({ [TypeUrl.RouteConfiguration]: { shared, own: [] } });
    const b = virtualHostsApart({ [TypeUrl.RouteConfiguration]: { shared, own: [] } });
    expect((a[TypeUrl.VirtualHost] as { shared: unknown }).shared).toBe((b[TypeUrl.VirtualHost] as { shared: unknown }).shared);
    expect((a[TypeUrl.RouteConfiguration] as { shared: unknown }).shared).toBe((b[TypeUrl.RouteConfiguration] as { shared: unknown }).shared);
  });

  test('a route configuration without virtual hosts stays whole', () => {
    const empty = routeConfig('inbound|8080||', []);
    const split = virtualHostsApart({ [TypeUrl.RouteConfiguration]: [empty] });
    expect(split[TypeUrl.RouteConfiguration]).toEqual([empty]);
    expect(split[TypeUrl.VirtualHost]).toEqual([]);
  });
});

describe('decoding VHDS', () => {
  test('a route configuration with vhds over ADS decodes with vhds set; another config source is refused', () => {
    const plain = { name: '9080', vhds: { config_source: { ads: {}, resource_api_version: 'V3' } } };
    const decoded = decodeResource(TypeUrl.RouteConfiguration, plain);
    expect(decoded.ok && decoded.value.vhds).toBe(true);
    const bad = decodeResource(TypeUrl.RouteConfiguration, { name: '9080', vhds: { config_source: { path: '/etc/vh.yaml' } } });
    expect(bad.ok ? [] : bad.errors).toEqual(['vhds.config_source.path: only ADS config sources (ads or self) are supported']);
  });

  test('a virtual host resource must be named <route configuration>/<virtual host>', () => {
    expect(decodeResource(TypeUrl.VirtualHost, virtualHost('9080/reviews:9080')).ok).toBe(true);
    const bare = decodeResource(TypeUrl.VirtualHost, virtualHost('reviews:9080'));
    expect(bare.ok ? [] : bare.errors).toEqual([
      "name: expected '<route configuration>/<virtual host>' for a virtual host sent on its own, got 'reviews:9080'",
    ]);
  });

  test('the proxy, on state-of-the-world ADS, rejects a route configuration with vhds (as Envoy does)', () => {
    const any = packResource(TypeUrl.RouteConfiguration, { name: '9080', vhds: { config_source: { ads: {} } } });
    const result = decodeResponse('RDS', 'v1', [any], new Date());
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toBe('9080: vhds: virtual hosts over VHDS need delta ADS; this proxy speaks state-of-the-world ADS');
  });
});

describe('delta stream: VHDS names are namespaces', () => {
  const A = virtualHost('a.default.svc.cluster.local:9080');
  const B = virtualHost('b.default.svc.cluster.local:9080');
  const C = virtualHost('c.default.svc.cluster.local:8080');

  function setup() {
    const h = harness<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(handleDeltaStream);
    h.cache.setSnapshot(NODE_ID, snapshotOf([routeConfig('9080', [A, B]), routeConfig('8080', [C])]));
    return h;
  }

  test('subscribing to a route configuration brings its virtual hosts only; a change sends only the one changed', () => {
    const { stream, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, subscribe: ['9080'] }));
    const [first] = stream.take();
    expect(names(first!)).toEqual(['9080/a.default.svc.cluster.local:9080', '9080/b.default.svc.cluster.local:9080']);
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, nonce: first!.nonce }));

    cache.setSnapshot(NODE_ID, snapshotOf([routeConfig('9080', [A, virtualHost('b.default.svc.cluster.local:9080', 'other')]), routeConfig('8080', [C])]));
    const [update] = stream.take();
    expect(names(update!)).toEqual(['9080/b.default.svc.cluster.local:9080']);
    expect(update!.removed_resources).toEqual([]);

    // a change under a namespace nobody subscribed to sends nothing
    cache.setSnapshot(NODE_ID, snapshotOf([routeConfig('9080', [A, virtualHost('b.default.svc.cluster.local:9080', 'other')]), routeConfig('8080', [virtualHost('c.default.svc.cluster.local:8080', 'x')])]));
    expect(stream.take()).toEqual([]);
  });

  test('a virtual host gone from the route configuration is named in removed_resources', () => {
    const { stream, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, subscribe: ['9080'] }));
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, nonce: stream.take()[0]!.nonce }));
    cache.setSnapshot(NODE_ID, snapshotOf([routeConfig('9080', [A]), routeConfig('8080', [C])]));
    const [removal] = stream.take();
    expect(removal!.resources).toEqual([]);
    expect(removal!.removed_resources).toEqual(['9080/b.default.svc.cluster.local:9080']);
  });

  test('unsubscribing a route configuration forgets its virtual hosts; subscribing again resends them all', () => {
    const { stream, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, subscribe: ['9080', '8080'] }));
    expect(names(stream.take()[0]!)).toHaveLength(3);
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, unsubscribe: ['9080'] }));
    cache.setSnapshot(NODE_ID, snapshotOf([routeConfig('9080', [A, virtualHost('b.default.svc.cluster.local:9080', 'other')]), routeConfig('8080', [C])]));
    expect(stream.take()).toEqual([]);
    stream.push(deltaRequest({ typeUrl: TypeUrl.VirtualHost, subscribe: ['9080'] }));
    expect(names(stream.take()[0]!)).toEqual(['9080/a.default.svc.cluster.local:9080', '9080/b.default.svc.cluster.local:9080']);
  });
});

describe('debounce after a settled source', () => {
  const change = (events?: ConfigChange['events']): ConfigChange => ({
    snapshot: ConfigSnapshot.EMPTY, previous: ConfigSnapshot.EMPTY, kinds: new Set(['VirtualService']), keys: new Set(['VirtualService/default/r']),
    added: [], updated: ['VirtualService/default/r'], removed: [], ...(events ? { events } : {}),
  });

  function debouncer(now: () => number) {
    const delivered: MergedChange[] = [];
    jest.useFakeTimers({ now: now() });
    const d = new ChangeDebouncer({ delayMs: 100, deliver: (c) => delivered.push(c), now });
    return { d, delivered };
  }

  afterEach(() => jest.useRealTimers());

  test('quiet time already spent settling counts: the change is delivered 100 ms after its last file event', () => {
    let clock = 10_000;
    const { d, delivered } = debouncer(() => clock);
    d.push(change({ firstAt: 9_860, lastAt: 9_940 }));
    jest.advanceTimersByTime(39);
    expect(delivered).toHaveLength(0);
    clock += 40;
    jest.advanceTimersByTime(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.firstAt).toBe(9_860);
  });

  test('a change that tells nothing of its events waits the whole quiet time', () => {
    const clock = 10_000;
    const { d, delivered } = debouncer(() => clock);
    d.push(change());
    jest.advanceTimersByTime(99);
    expect(delivered).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.firstAt).toBe(10_000);
  });
});
