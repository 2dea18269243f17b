import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { Snapshot } from '../../runtime/xds/cache';
import { handleDeltaStream } from '../../runtime/xds/server';
import { bookinfoSnapshot, deltaRequest, NODE_ID, REVIEWS_CLUSTER, reviewsCluster, reviewsEndpoints } from './fixtures';
import { harness } from './harness';

function setup() {
  const h = harness<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(handleDeltaStream);
  h.cache.setSnapshot(NODE_ID, bookinfoSnapshot());
  return h;
}

const resourceNames = (r: DeltaDiscoveryResponse) => r.resources.map((x) => x.name).sort();

describe('delta ADS', () => {
  test('CDS wildcard: all clusters with their versions; an ACK is recorded', () => {
    const { stream, status, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster }));
    const [r] = stream.take();
    expect(resourceNames(r)).toEqual([REVIEWS_CLUSTER, 'PassthroughCluster'].sort());
    const reviews = r.resources.find((x) => x.name === REVIEWS_CLUSTER)!;
    expect(reviews.version).toBe(cache.getSnapshot(NODE_ID)!.resource(TypeUrl.Cluster, REVIEWS_CLUSTER)!.version);
    expect(reviews.resource.type_url).toBe(TypeUrl.Cluster);
    expect(r.removed_resources).toEqual([]);

    stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster, nonce: r.nonce }));
    const cds = status.streamsOf(NODE_ID)[0].types.find((t) => t.typeUrl === TypeUrl.Cluster)!;
    expect(cds.ackedVersion).toBe(r.system_version_info);
  });

  test('subscribe and unsubscribe named resources', () => {
    const { stream, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.ClusterLoadAssignment, subscribe: [REVIEWS_CLUSTER] }));
    const [r1] = stream.take();
    expect(resourceNames(r1)).toEqual([REVIEWS_CLUSTER]);

    // unsubscribed resources are no longer pushed
    stream.push(deltaRequest({ typeUrl: TypeUrl.ClusterLoadAssignment, unsubscribe: [REVIEWS_CLUSTER], nonce: r1.nonce }));
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ endpoints: ['10.0.1.9'] }));
    expect(stream.responses).toHaveLength(0);

    // subscribing again sends it again
    stream.push(deltaRequest({ typeUrl: TypeUrl.ClusterLoadAssignment, subscribe: [REVIEWS_CLUSTER] }));
    expect(resourceNames(stream.take()[0])).toEqual([REVIEWS_CLUSTER]);
  });

  test('only changed resources are sent, and removed ones are named in removed_resources', () => {
    const { stream, cache } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster }));
    stream.take();

    // GIVEN the passthrough cluster disappears and reviews is unchanged
    cache.setSnapshot(
      NODE_ID,
      Snapshot.create({
        resources: {
          [TypeUrl.Cluster]: [reviewsCluster()],
          [TypeUrl.ClusterLoadAssignment]: [reviewsEndpoints()],
        },
      }),
    );
    // THEN one response names it as removed and carries no resources
    const [r] = stream.take();
    expect(r.resources).toEqual([]);
    expect(r.removed_resources).toEqual(['PassthroughCluster']);

    // and bringing it back sends only it
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    const [back] = stream.take();
    expect(resourceNames(back)).toEqual(['PassthroughCluster']);
  });

  test('a reconnect with initial_resource_versions receives only what differs', () => {
    const { stream, cache } = setup();
    const snapshot = cache.getSnapshot(NODE_ID)!;
    const passthrough = snapshot.resource(TypeUrl.Cluster, 'PassthroughCluster')!;
    stream.push(
      deltaRequest({
        typeUrl: TypeUrl.Cluster,
        initial: {
          PassthroughCluster: passthrough.version,
          [REVIEWS_CLUSTER]: 'stale-version',
          'outbound|9080||ratings.default.svc.cluster.local': 'whatever',
        },
      }),
    );
    const [r] = stream.take();
    expect(resourceNames(r)).toEqual([REVIEWS_CLUSTER]);
    expect(r.removed_resources).toEqual(['outbound|9080||ratings.default.svc.cluster.local']);
  });

  test('a client fully up to date receives nothing', () => {
    const { stream, cache } = setup();
    const initial = Object.fromEntries(
      [...cache.getSnapshot(NODE_ID)!.resources(TypeUrl.Cluster).values()].map((r) => [r.name, r.version]),
    );
    stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster, initial }));
    expect(stream.responses).toHaveLength(0);
  });

  test('a NACK is recorded and the rejected resources are not resent', () => {
    const { stream, cache, status, logs } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Listener }));
    const [v1] = stream.take();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Listener, nonce: v1.nonce }));
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'bad' }));
    const [v2] = stream.take();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Listener, nonce: v2.nonce, error: 'bad listener' }));
    expect(stream.responses).toHaveLength(0);
    const lds = status.streamsOf(NODE_ID)[0].types.find((t) => t.typeUrl === TypeUrl.Listener)!;
    expect(lds.ackedVersion).toBe(v1.system_version_info);
    expect(lds.lastNack?.version).toBe(v2.system_version_info);
    expect(logs.some((l) => l.startsWith(`xds: NACK from ${NODE_ID} for LDS`) && l.endsWith('bad listener'))).toBe(true);
  });

  test('cancel cleans up the watches', () => {
    const { stream, cache, status } = setup();
    stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster }));
    stream.push(deltaRequest({ typeUrl: TypeUrl.Listener }));
    expect(cache.pendingWatchCount(NODE_ID)).toBe(2);
    stream.cancel();
    expect(cache.pendingWatchCount(NODE_ID)).toBe(0);
    expect(status.streams()).toHaveLength(0);
  });
});
