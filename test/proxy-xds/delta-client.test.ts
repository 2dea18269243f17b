/**
 * The proxy's ADS client on delta ADS against our real ADS server on loopback:
 * subscriptions as changes, removals one by one, virtual hosts over VHDS put
 * together with their route configuration, NACKs, and a reconnect that
 * announces the versions held.
 */
import { Snapshot } from '../../runtime/xds/cache';
import type { PlainMessage } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { virtualHostsApart } from '../../runtime/xds/translate';
import type { NackEvent } from '../../runtime/proxy/xds-client';
import { waitFor } from '../support/wait-for';
import { listener9080, passthroughCluster, REVIEWS_CLUSTER, reviewsCluster, reviewsEndpoints, routeConfig9080 } from '../xds/fixtures';
import { NODE_ID, recordUpdates, restartControlPlane, startClient, startControlPlane, stopAll, typeStatus } from './harness';

afterEach(stopAll);

const DEADLINE_MS = 5000;
const REVIEWS_HOST = '9080/reviews.default.svc.cluster.local:9080';

/** The bookinfo snapshot with virtual hosts apart (VHDS), as the control plane serves Envoys on delta. */
function vhdsSnapshot(o: { routes?: readonly PlainMessage[]; clusters?: readonly PlainMessage[] } = {}): Snapshot {
  return Snapshot.create({
    resources: virtualHostsApart({
      [TypeUrl.Listener]: [listener9080()],
      [TypeUrl.RouteConfiguration]: o.routes ?? [routeConfig9080()],
      [TypeUrl.Cluster]: o.clusters ?? [reviewsCluster(), passthroughCluster()],
      [TypeUrl.ClusterLoadAssignment]: [reviewsEndpoints()],
    }),
  });
}

describe('AdsClient on delta ADS', () => {
  test('initial sync: the route configuration serves once its virtual hosts arrived over VHDS; every type ACKed', async () => {
    const cp = await startControlPlane();
    const snapshot = vhdsSnapshot();
    cp.cache.setSnapshot(NODE_ID, snapshot);
    const client = startClient(cp.port, { protocol: 'delta' });
    const updates = recordUpdates(client);
    const ready = await client.whenReady();

    // Never a route configuration without its virtual hosts in force
    for (const u of updates) for (const rc of u.next.routeConfigs.values()) expect(rc.value.virtualHosts.length).toBeGreaterThan(0);
    const route = ready.routeConfigFor('0.0.0.0_9080');
    expect(route?.virtualHosts.map((vh) => vh.name)).toEqual([REVIEWS_HOST]);
    expect(route?.virtualHosts[0]?.domains).toContain('reviews');
    expect([...ready.clusters.keys()].sort()).toEqual(['PassthroughCluster', REVIEWS_CLUSTER]);
    expect(client.vhdsSubscription()).toEqual(['9080']);
    expect(cp.server.status.streamsOf(NODE_ID)[0]?.protocol).toBe('delta');
    for (const url of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.VirtualHost]) {
      await waitFor(() => typeStatus(cp, url)?.ackedVersion === snapshot.version(url), DEADLINE_MS, `ACK of ${url}`);
    }
    expect(typeStatus(cp, TypeUrl.VirtualHost)?.subscription).toEqual({ wildcard: false, names: ['9080'] });
  });

  test('a changed virtual host replaces that one; a removed cluster is dropped', async () => {
    const cp = await startControlPlane();
    cp.cache.setSnapshot(NODE_ID, vhdsSnapshot());
    const client = startClient(cp.port, { protocol: 'delta' });
    await client.whenReady();

    cp.cache.setSnapshot(NODE_ID, vhdsSnapshot({ routes: [routeConfig9080('7s')] }));
    await waitFor(() => {
      const action = client.snapshot.routeConfigFor('0.0.0.0_9080')?.virtualHosts[0]?.routes[0]?.action;
      return action?.kind === 'forward' && action.timeoutMs === 7000;
    }, DEADLINE_MS, 'the new virtual host in force');

    cp.cache.setSnapshot(NODE_ID, vhdsSnapshot({ routes: [routeConfig9080('7s')], clusters: [reviewsCluster()] }));
    await waitFor(() => !client.snapshot.clusters.has('PassthroughCluster'), DEADLINE_MS, 'the removed cluster dropped');
    expect(client.snapshot.clusters.has(REVIEWS_CLUSTER)).toBe(true);
    expect(client.snapshot.routeConfigFor('0.0.0.0_9080')?.virtualHosts).toHaveLength(1);
  });

  test('an invalid virtual host is NACKed with its field path; the route configuration in force stays', async () => {
    const cp = await startControlPlane();
    cp.cache.setSnapshot(NODE_ID, vhdsSnapshot());
    const client = startClient(cp.port, { protocol: 'delta' });
    await client.whenReady();
    const before = client.snapshot.routeConfigFor('0.0.0.0_9080');
    const nacks: NackEvent[] = [];
    client.on('nack', (n) => nacks.push(n));

    const broken = { ...routeConfig9080(), virtual_hosts: [{ ...(routeConfig9080().virtual_hosts as PlainMessage[])[0], domains: [] }] };
    cp.cache.setSnapshot(NODE_ID, vhdsSnapshot({ routes: [broken] }));
    await waitFor(() => nacks.length > 0, DEADLINE_MS, 'NACK');
    expect(nacks[0]?.message).toContain(`${REVIEWS_HOST}: domains`);
    await waitFor(() => typeStatus(cp, TypeUrl.VirtualHost)?.lastNack !== undefined, DEADLINE_MS, 'NACK recorded by the server');
    expect(client.snapshot.routeConfigFor('0.0.0.0_9080')).toBe(before);
  });

  test('a reconnect announces the versions held: a control plane with the same config sends nothing', async () => {
    const first = await startControlPlane();
    const snapshot = vhdsSnapshot();
    first.cache.setSnapshot(NODE_ID, snapshot);
    const client = startClient(first.port, { protocol: 'delta' });
    await client.whenReady();
    await waitFor(() => typeStatus(first, TypeUrl.VirtualHost)?.ackedVersion !== undefined, DEADLINE_MS, 'VHDS ACK');
    const held = client.snapshot;
    const updates = recordUpdates(client);
    const second = await restartControlPlane(first, client, snapshot);

    await waitFor(() => typeStatus(second, TypeUrl.VirtualHost)?.subscription.names.length === 1, DEADLINE_MS, 'VHDS re-subscribed');
    await waitFor(() => typeStatus(second, TypeUrl.RouteConfiguration)?.subscription.names.length === 1, DEADLINE_MS, 'RDS re-subscribed');
    for (const url of [TypeUrl.Cluster, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.VirtualHost]) {
      expect(typeStatus(second, url)?.sentVersion).toBeUndefined();
    }
    expect(updates).toHaveLength(0);
    expect(client.snapshot).toBe(held);

    second.cache.setSnapshot(NODE_ID, vhdsSnapshot({ routes: [routeConfig9080('3s')] }));
    await waitFor(() => {
      const action = client.snapshot.routeConfigFor('0.0.0.0_9080')?.virtualHosts[0]?.routes[0]?.action;
      return action?.kind === 'forward' && action.timeoutMs === 3000;
    }, DEADLINE_MS, 'update after the restart');
  });
});
