/** The proxy's ADS client against our real ADS server on loopback. */
import { TypeUrl } from '../../runtime/xds/resource-types';
import { ConfigDumpTypeUrl, ProxyConfigSnapshot, edsServiceNameOf, routeConfigNamesOf } from '../../runtime/proxy/config';
import { DisconnectedEvent, NackEvent } from '../../runtime/proxy/xds-client';
import { waitFor } from '../support/wait-for';
import { listener9080, REVIEWS_CLUSTER, reviewsEndpoints, routeConfig9080 } from '../xds/fixtures';
import {
  NODE_ID, recordUpdates, restartControlPlane, snapshotOf, startClient, startControlPlane, stopAll, typeStatus, unusedPort,
} from './harness';

afterEach(stopAll);

const DEADLINE_MS = 5000;

/** Envoy's invariant: nothing serves before what it depends on. */
function assertWarmingOrder(s: ProxyConfigSnapshot): void {
  for (const l of s.listeners.values()) {
    for (const name of routeConfigNamesOf(l.value)) expect(s.routeConfigs.has(name)).toBe(true);
  }
  for (const c of s.clusters.values()) {
    const service = edsServiceNameOf(c.value);
    if (service !== undefined) expect(s.loadAssignments.has(service)).toBe(true);
  }
}

describe('AdsClient', () => {
  test('initial sync: clusters and endpoints, then listeners and routes, each live only once what it needs arrived; all ACKed', async () => {
    // GIVEN a control plane holding the bookinfo snapshot for the node
    const cp = await startControlPlane();
    const snapshot = snapshotOf();
    cp.cache.setSnapshot(NODE_ID, snapshot);

    // WHEN the proxy connects
    const client = startClient(cp.port);
    const updates = recordUpdates(client);
    const ready = await client.whenReady();

    // THEN every intermediate snapshot respected the warming order, and clusters warmed before LDS began
    for (const u of updates) assertWarmingOrder(u.next);
    const firstLds = updates.findIndex((u) => u.changed.includes('LDS'));
    const lastEds = updates.map((u) => u.changed.includes('EDS')).lastIndexOf(true);
    expect(lastEds).toBeGreaterThanOrEqual(0);
    expect(firstLds).toBeGreaterThan(lastEds);
    expect(updates.flatMap((u) => u.changed)).toEqual(['CDS', 'CDS', 'EDS', 'LDS', 'LDS', 'RDS']);

    expect([...ready.listeners.keys()]).toEqual(['0.0.0.0_9080']);
    expect(ready.warmingListeners.size).toBe(0);
    expect(ready.routeConfigFor('0.0.0.0_9080')?.name).toBe('9080');
    expect([...ready.clusters.keys()].sort()).toEqual(['PassthroughCluster', REVIEWS_CLUSTER]);
    expect(ready.endpointsFor(REVIEWS_CLUSTER)?.localities[0]?.endpoints.map((e) => e.address)).toHaveLength(2);
    expect(ready.endpointsFor('PassthroughCluster')).toBeUndefined();
    for (const [type, url] of [['CDS', TypeUrl.Cluster], ['EDS', TypeUrl.ClusterLoadAssignment], ['LDS', TypeUrl.Listener], ['RDS', TypeUrl.RouteConfiguration]] as const) {
      expect(ready.version(type).versionInfo).toBe(snapshot.version(url));
    }

    // AND the server recorded the node's metadata, the subscriptions and an ACK of each type
    const stream = cp.server.status.streamsOf(NODE_ID)[0]!;
    expect(stream.node.metadata).toEqual(expect.objectContaining({
      NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' }, WORKLOAD_NAME: 'productpage-v1', INTERCEPTION_MODE: 'NONE',
    }));
    expect(stream.node.metadata).not.toHaveProperty('GENERATOR');
    for (const url of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration]) {
      await waitFor(() => typeStatus(cp, url)?.ackedVersion === snapshot.version(url), DEADLINE_MS, `ACK of ${url}`);
    }
    expect(typeStatus(cp, TypeUrl.ClusterLoadAssignment)?.subscription).toEqual({ wildcard: false, names: [REVIEWS_CLUSTER] });
    expect(typeStatus(cp, TypeUrl.RouteConfiguration)?.subscription).toEqual({ wildcard: false, names: ['9080'] });
    expect(typeStatus(cp, TypeUrl.Cluster)?.subscription.wildcard).toBe(true);
    expect(client.subscriptions()).toEqual({ CDS: ['*'], EDS: [REVIEWS_CLUSTER], LDS: ['*'], RDS: ['9080'] });
  });

  test('a listener is not live before its route configuration arrives', async () => {
    // GIVEN a snapshot whose listener names route config "9080", which the control plane does not have yet
    const cp = await startControlPlane();
    cp.cache.setSnapshot(NODE_ID, snapshotOf({ routes: [] }), { allowInconsistent: true });
    const client = startClient(cp.port);

    // THEN the listener warms: not live, no route config, shown as warming in the dump
    await waitFor(() => client.snapshot.warmingListeners.has('0.0.0.0_9080'), DEADLINE_MS, 'listener warming');
    expect(client.snapshot.listener('0.0.0.0_9080')).toBeUndefined();
    expect(client.snapshot.routeConfigFor('0.0.0.0_9080')).toBeUndefined();
    expect(client.ready).toBe(false);
    const lds = client.configDump().configs[0] as { dynamic_listeners: Array<Record<string, unknown>> };
    expect(lds.dynamic_listeners).toEqual([expect.objectContaining({ name: '0.0.0.0_9080', warming_state: expect.any(Object) })]);
    expect(lds.dynamic_listeners[0]).not.toHaveProperty('active_state');

    // WHEN the route config arrives THEN the listener goes live, in the same snapshot as its routes
    const updates = recordUpdates(client);
    cp.cache.setSnapshot(NODE_ID, snapshotOf());
    const snapshot = await client.whenReady();
    expect(snapshot.routeConfigFor('0.0.0.0_9080')?.name).toBe('9080');
    const promoted = updates.find((u) => u.next.listeners.has('0.0.0.0_9080'))!;
    expect(promoted.changed).toEqual(['LDS', 'RDS']);
    expect(promoted.prev.listeners.size).toBe(0);
  });

  test('a listener whose route configuration never comes goes live after the initial fetch timeout', async () => {
    const cp = await startControlPlane();
    cp.cache.setSnapshot(NODE_ID, snapshotOf({ routes: [] }), { allowInconsistent: true });
    const client = startClient(cp.port, { initialFetchTimeoutMs: 100 });
    const snapshot = await client.whenReady();
    expect(snapshot.listener('0.0.0.0_9080')).toBeDefined();
    expect(snapshot.routeConfigFor('0.0.0.0_9080')).toBeUndefined(); // the data plane answers 404 (NR)
  });

  test('an invalid route configuration is NACKed with its field path; the last good version stays in force', async () => {
    const cp = await startControlPlane();
    const good = snapshotOf({ routes: [routeConfig9080('3s')] });
    cp.cache.setSnapshot(NODE_ID, good);
    const client = startClient(cp.port);
    await client.whenReady();
    await waitFor(() => typeStatus(cp, TypeUrl.RouteConfiguration)?.ackedVersion === good.version(TypeUrl.RouteConfiguration), DEADLINE_MS, 'RDS ACK');
    const before = client.snapshot;

    // WHEN the control plane pushes a route with an invalid regex
    const nacks: NackEvent[] = [];
    client.on('nack', (n) => nacks.push(n));
    const bad = routeConfig9080('3s') as { virtual_hosts: Array<{ routes: Array<Record<string, unknown>> }> };
    bad.virtual_hosts[0]!.routes[0]!.match = { safe_regex: { regex: '/reviews/(' } };
    const badSnapshot = snapshotOf({ routes: [bad] });
    cp.cache.setSnapshot(NODE_ID, badSnapshot);

    // THEN the server records a NACK naming resource and field, and the ACKed version is still the good one
    const status = await waitFor(() => {
      const t = typeStatus(cp, TypeUrl.RouteConfiguration);
      return t?.lastNack ? t : undefined;
    }, DEADLINE_MS, 'NACK recorded');
    expect(status.lastNack!.version).toBe(badSnapshot.version(TypeUrl.RouteConfiguration));
    expect(status.lastNack!.message).toMatch(/^9080: virtual_hosts\[0\]\.routes\[0\]\.match\.safe_regex\.regex: invalid regex '\/reviews\/\('/);
    expect(status.lastNack!.code).toBe(3);
    expect(status.ackedVersion).toBe(good.version(TypeUrl.RouteConfiguration));
    expect(nacks).toHaveLength(1);
    expect(nacks[0]!.keptVersionInfo).toBe(good.version(TypeUrl.RouteConfiguration));

    // AND the client keeps serving the good route config
    expect(client.snapshot).toBe(before);
    expect(client.snapshot.routeConfigFor('0.0.0.0_9080')?.virtualHosts[0]?.routes[0]?.action).toEqual(
      expect.objectContaining({ kind: 'forward', timeoutMs: 3000 }),
    );
    expect(client.snapshot.version('RDS').versionInfo).toBe(good.version(TypeUrl.RouteConfiguration));
    const routes = client.configDump().configs[2] as { dynamic_route_configs: Array<Record<string, unknown>> };
    expect(routes.dynamic_route_configs[0]).toEqual(expect.objectContaining({
      version_info: good.version(TypeUrl.RouteConfiguration),
      client_status: 'NACKED',
      error_state: expect.objectContaining({ details: expect.stringContaining('match.safe_regex.regex') }),
    }));

    // AND a later good version is accepted and clears the error
    const fixed = snapshotOf({ routes: [routeConfig9080('5s')] });
    cp.cache.setSnapshot(NODE_ID, fixed);
    await waitFor(() => typeStatus(cp, TypeUrl.RouteConfiguration)?.ackedVersion === fixed.version(TypeUrl.RouteConfiguration), DEADLINE_MS, 'ACK of the fix');
    expect(client.updateFailures()).toEqual([]);
  });

  test('a snapshot update applies atomically and fires onUpdate with the changed types only', async () => {
    const cp = await startControlPlane();
    cp.cache.setSnapshot(NODE_ID, snapshotOf());
    const client = startClient(cp.port);
    await client.whenReady();
    const updates = recordUpdates(client);
    const before = client.snapshot;

    cp.cache.setSnapshot(NODE_ID, snapshotOf({ endpoints: [reviewsEndpoints(['10.0.1.9'])] }));
    await waitFor(() => updates.length >= 1, DEADLINE_MS, 'an update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.changed).toEqual(['EDS']);
    expect(updates[0]!.prev).toBe(before);
    // the previous snapshot is untouched; unchanged parts are shared
    expect(before.endpointsFor(REVIEWS_CLUSTER)?.localities[0]?.endpoints).toHaveLength(2);
    const next = updates[0]!.next;
    expect(next.endpointsFor(REVIEWS_CLUSTER)?.localities[0]?.endpoints).toHaveLength(1);
    expect(next.listeners).toBe(before.listeners);
    expect(next.clusters).toBe(before.clusters);
    expect(next.revision).toBe(before.revision + 1);
    expect(() => (next as unknown as { revision: number }).revision = 0).toThrow();

    // a listener change alone is an LDS change
    cp.cache.setSnapshot(NODE_ID, snapshotOf({ listeners: [listener9080('outbound_renamed')], endpoints: [reviewsEndpoints(['10.0.1.9'])] }));
    await waitFor(() => updates.length >= 2, DEADLINE_MS, 'a second update');
    expect(updates[1]!.changed).toEqual(['LDS']);
  });

  test('a control plane restart: the proxy keeps its config, reconnects with its versions and re-syncs without a drop', async () => {
    const first = await startControlPlane();
    const snapshot = snapshotOf();
    first.cache.setSnapshot(NODE_ID, snapshot);
    const client = startClient(first.port);
    await client.whenReady();
    await waitFor(() => typeStatus(first, TypeUrl.RouteConfiguration)?.ackedVersion !== undefined, DEADLINE_MS, 'RDS ACK');
    const held = client.snapshot;
    const updates = recordUpdates(client);

    // WHEN the control plane goes away (the proxy keeps serving what it holds)
    // AND a new one starts on the same port with the same snapshot
    const second = await restartControlPlane(first, client, snapshot, () => {
      expect(client.connected).toBe(false);
      expect(client.snapshot).toBe(held);
      expect(client.snapshot.routeConfigFor('0.0.0.0_9080')).toBeDefined();
    });

    // THEN the client reconnects within the deadline, subscribed to the same names with its versions
    await waitFor(() => client.connected && second.server.status.streamsOf(NODE_ID).length === 1, DEADLINE_MS, 'reconnected');
    await waitFor(() => typeStatus(second, TypeUrl.RouteConfiguration)?.subscription.names.length === 1, DEADLINE_MS, 'RDS re-subscribed');
    expect(typeStatus(second, TypeUrl.ClusterLoadAssignment)?.subscription.names).toEqual([REVIEWS_CLUSTER]);
    // the server had nothing newer to send: nothing was re-applied, nothing dropped
    expect(typeStatus(second, TypeUrl.Listener)?.sentVersion).toBeUndefined();
    expect(updates).toHaveLength(0);
    expect(client.snapshot).toBe(held);

    // AND the new control plane's updates flow
    second.cache.setSnapshot(NODE_ID, snapshotOf({ endpoints: [reviewsEndpoints(['10.0.1.10'])] }));
    await waitFor(() => client.snapshot.endpointsFor(REVIEWS_CLUSTER)?.localities[0]?.endpoints.length === 1, DEADLINE_MS, 'update after restart');
  });

  test('reconnection backoff grows and stays bounded while no control plane answers', async () => {
    const port = await unusedPort();
    const disconnects: DisconnectedEvent[] = [];
    const client = startClient(port, { backoff: { initialMs: 5, maxMs: 40, jitter: 0.5 } });
    client.on('disconnected', (d) => disconnects.push(d));
    await waitFor(() => disconnects.length >= 6, DEADLINE_MS, 'six failed attempts');
    const delays = disconnects.map((d) => d.retryInMs);
    for (const d of delays) expect(d).toBeLessThanOrEqual(40);
    expect(delays[0]).toBeLessThanOrEqual(5);
    for (const d of delays.slice(4)) expect(d).toBeGreaterThanOrEqual(20); // ceiling reached: within [max/2, max]
    expect(client.snapshot.revision).toBe(0);
    expect(client.connected).toBe(false);
  });

  test('config_dump is Envoy-shaped, with versions and last_updated', async () => {
    const cp = await startControlPlane();
    const snapshot = snapshotOf();
    cp.cache.setSnapshot(NODE_ID, snapshot);
    const client = startClient(cp.port);
    await client.whenReady();
    const dump = JSON.parse(JSON.stringify(client.configDump())) as { configs: Array<Record<string, unknown>> };
    expect(dump.configs.map((c) => c['@type'])).toEqual([
      ConfigDumpTypeUrl.Listeners, ConfigDumpTypeUrl.Clusters, ConfigDumpTypeUrl.Routes, ConfigDumpTypeUrl.Endpoints,
    ]);
    const [lds, cds, rds, eds] = dump.configs as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(lds.version_info).toBe(snapshot.version(TypeUrl.Listener));
    expect(lds.dynamic_listeners).toEqual([{
      name: '0.0.0.0_9080',
      active_state: {
        version_info: snapshot.version(TypeUrl.Listener),
        listener: expect.objectContaining({ '@type': TypeUrl.Listener, name: '0.0.0.0_9080', address: { socket_address: expect.objectContaining({ port_value: 9080 }) } }),
        last_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    }]);
    expect(cds.version_info).toBe(snapshot.version(TypeUrl.Cluster));
    expect((cds.dynamic_active_clusters as unknown[]).map((c) => (c as { cluster: { name: string } }).cluster.name)).toEqual(['PassthroughCluster', REVIEWS_CLUSTER]);
    expect(cds.dynamic_warming_clusters).toEqual([]);
    expect(rds.dynamic_route_configs).toEqual([expect.objectContaining({ route_config: expect.objectContaining({ '@type': TypeUrl.RouteConfiguration, name: '9080' }) })]);
    expect(eds.dynamic_endpoint_configs).toEqual([expect.objectContaining({ endpoint_config: expect.objectContaining({ cluster_name: REVIEWS_CLUSTER }) })]);
  });
});
