import { checkConsistency, Snapshot, SnapshotCache, WatchResponse } from '../../runtime/xds/cache';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { bookinfoSnapshot, listener9080, NODE_ID, REVIEWS_CLUSTER, reviewsCluster, routeConfig9080 } from './fixtures';

const ALL = { wildcard: true, names: new Set<string>() };
const named = (...names: string[]) => ({ wildcard: false, names: new Set(names) });

describe('Snapshot', () => {
  test('versions are content hashes per type; only changed types change version', () => {
    const a = bookinfoSnapshot();
    const b = bookinfoSnapshot({ endpoints: ['10.0.1.9'] });
    expect(b.version(TypeUrl.Listener)).toBe(a.version(TypeUrl.Listener));
    expect(b.version(TypeUrl.Cluster)).toBe(a.version(TypeUrl.Cluster));
    expect(b.version(TypeUrl.ClusterLoadAssignment)).not.toBe(a.version(TypeUrl.ClusterLoadAssignment));
    expect(b.resource(TypeUrl.ClusterLoadAssignment, REVIEWS_CLUSTER)?.version).not.toBe(
      a.resource(TypeUrl.ClusterLoadAssignment, REVIEWS_CLUSTER)?.version,
    );
  });

  test('an explicit version applies to every type', () => {
    const s = bookinfoSnapshot({ version: 'v7' });
    expect(s.version(TypeUrl.Listener)).toBe('v7');
    expect(s.version(TypeUrl.Secret)).toBe('v7');
  });

  test('resources are named by name, load assignments by cluster_name', () => {
    const s = bookinfoSnapshot();
    expect([...s.resources(TypeUrl.Listener).keys()]).toEqual(['0.0.0.0_9080']);
    expect([...s.resources(TypeUrl.ClusterLoadAssignment).keys()]).toEqual([REVIEWS_CLUSTER]);
  });

  test('duplicate and unnamed resources are refused', () => {
    expect(() => Snapshot.create({ resources: { [TypeUrl.Cluster]: [reviewsCluster(), reviewsCluster()] } })).toThrow(
      /duplicate resource name 'outbound\|9080\|\|reviews.default.svc.cluster.local'/,
    );
    expect(() => Snapshot.create({ resources: { [TypeUrl.Cluster]: [{ type: 'EDS' }] } })).toThrow(/has no name/);
  });
});

describe('checkConsistency', () => {
  test('the bookinfo snapshot is consistent', () => {
    expect(checkConsistency(bookinfoSnapshot())).toEqual({ ok: true });
  });

  test('reports the missing RDS and EDS names', () => {
    // GIVEN a listener referencing route config "9080" and an EDS cluster, without either target
    const snapshot = Snapshot.create({
      resources: { [TypeUrl.Listener]: [listener9080()], [TypeUrl.Cluster]: [reviewsCluster()] },
    });
    // WHEN checked
    const result = checkConsistency(snapshot);
    // THEN both missing names are reported
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toEqual({ routeConfigs: ['9080'], loadAssignments: [REVIEWS_CLUSTER] });
    expect(result.errors).toEqual([
      "Listener '0.0.0.0_9080': filter_chains[0].filters[0].typed_config.rds.route_config_name: no RouteConfiguration named '9080' in the snapshot",
      `Cluster '${REVIEWS_CLUSTER}': type EDS: no ClusterLoadAssignment named '${REVIEWS_CLUSTER}' in the snapshot`,
    ]);
  });

  test('finds the route name in an already packed HCM', () => {
    const snapshot = Snapshot.create({
      resources: { [TypeUrl.Listener]: [listener9080()], [TypeUrl.RouteConfiguration]: [routeConfig9080()] },
    });
    const packed = snapshot.resource(TypeUrl.Listener, '0.0.0.0_9080');
    expect(packed).toBeDefined();
    // a snapshot made from the packed Any reads the HCM back from bytes
    const again = Snapshot.create({ resources: { [TypeUrl.Listener]: [packed!.any] } });
    const result = checkConsistency(again);
    expect(result.ok ? [] : result.missing.routeConfigs).toEqual(['9080']);
  });
});

describe('SnapshotCache', () => {
  test('refuses an inconsistent snapshot and keeps the previous one', () => {
    const cache = new SnapshotCache();
    const good = bookinfoSnapshot();
    expect(cache.setSnapshot(NODE_ID, good).ok).toBe(true);
    const bad = Snapshot.create({ resources: { [TypeUrl.Listener]: [listener9080()] } });
    const result = cache.setSnapshot(NODE_ID, bad);
    expect(result.ok).toBe(false);
    expect(cache.getSnapshot(NODE_ID)).toBe(good);
    expect(cache.setSnapshot(NODE_ID, bad, { allowInconsistent: true }).ok).toBe(false);
    expect(cache.getSnapshot(NODE_ID)).toBe(bad);
  });

  test('state of the world: answers at once when the known version differs, else when a new version is set', () => {
    const cache = new SnapshotCache();
    const first = bookinfoSnapshot();
    cache.setSnapshot(NODE_ID, first);
    const got: WatchResponse[] = [];
    cache.watch(NODE_ID, TypeUrl.Listener, '', ALL, (r) => got.push(r));
    expect(got).toHaveLength(1);
    expect(got[0].version).toBe(first.version(TypeUrl.Listener));
    expect(got[0].resources.map((r) => r.name)).toEqual(['0.0.0.0_9080']);

    cache.watch(NODE_ID, TypeUrl.Listener, got[0].version, ALL, (r) => got.push(r));
    expect(got).toHaveLength(1);
    expect(cache.pendingWatchCount(NODE_ID)).toBe(1);

    // a snapshot that changes only endpoints leaves the LDS watch pending
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ endpoints: ['10.0.1.9'] }));
    expect(got).toHaveLength(1);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'changed' }));
    expect(got).toHaveLength(2);
    expect(cache.pendingWatchCount()).toBe(0);
  });

  test('named subscriptions receive only their names', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    const got: WatchResponse[] = [];
    cache.watch(NODE_ID, TypeUrl.Cluster, '', named('PassthroughCluster'), (r) => got.push(r));
    expect(got[0].resources.map((r) => r.name)).toEqual(['PassthroughCluster']);
  });

  test('delta: answers with changed resources and removed names only', () => {
    const cache = new SnapshotCache();
    const snapshot = bookinfoSnapshot();
    cache.setSnapshot(NODE_ID, snapshot);
    const passthrough = snapshot.resource(TypeUrl.Cluster, 'PassthroughCluster')!;
    const known = new Map([
      ['PassthroughCluster', passthrough.version],
      ['outbound|8080||gone.default.svc.cluster.local', 'old'],
    ]);
    const got: WatchResponse[] = [];
    cache.watch(NODE_ID, TypeUrl.Cluster, known, ALL, (r) => got.push(r));
    expect(got[0].resources.map((r) => r.name)).toEqual([REVIEWS_CLUSTER]);
    expect(got[0].removed).toEqual(['outbound|8080||gone.default.svc.cluster.local']);

    const upToDate = new Map([...snapshot.resources(TypeUrl.Cluster).values()].map((r) => [r.name, r.version]));
    cache.watch(NODE_ID, TypeUrl.Cluster, upToDate, ALL, (r) => got.push(r));
    expect(got).toHaveLength(1);
  });

  test('a cancelled watch is never answered and is forgotten', () => {
    const cache = new SnapshotCache();
    const callback = jest.fn();
    const cancel = cache.watch(NODE_ID, TypeUrl.Listener, '', ALL, callback);
    expect(cache.pendingWatchCount(NODE_ID)).toBe(1);
    cancel();
    cancel();
    expect(cache.pendingWatchCount(NODE_ID)).toBe(0);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    expect(callback).not.toHaveBeenCalled();
  });

  test('pending watches are answered CDS, EDS, LDS, RDS', () => {
    const cache = new SnapshotCache();
    const order: string[] = [];
    for (const [typeUrl, sub] of [
      [TypeUrl.RouteConfiguration, named('9080')],
      [TypeUrl.Listener, ALL],
      [TypeUrl.ClusterLoadAssignment, named(REVIEWS_CLUSTER)],
      [TypeUrl.Cluster, ALL],
    ] as const) {
      cache.watch(NODE_ID, typeUrl, '', sub, (r) => order.push(r.typeUrl.split('.').pop()!));
    }
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    expect(order).toEqual(['Cluster', 'ClusterLoadAssignment', 'Listener', 'RouteConfiguration']);
  });
});
