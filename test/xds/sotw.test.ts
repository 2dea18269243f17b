import { status as grpcStatus } from '@grpc/grpc-js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../runtime/xds/protos';
import { unpackResource } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { handleSotwStream } from '../../runtime/xds/server';
import { bookinfoSnapshot, NODE_ID, REVIEWS_CLUSTER, sotwRequest } from './fixtures';
import { harness } from './harness';

function setup(withSnapshot = true) {
  const h = harness<DiscoveryRequest, DiscoveryResponse>(handleSotwStream);
  if (withSnapshot) h.cache.setSnapshot(NODE_ID, bookinfoSnapshot());
  return h;
}

const names = (r: DiscoveryResponse) => r.resources.map((a) => String(unpackResource(a).name ?? unpackResource(a).cluster_name));

describe('state-of-the-world ADS', () => {
  test('a first request without node ends the stream with INVALID_ARGUMENT', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener, node: null }));
    expect(stream.status).toEqual(
      expect.objectContaining({ code: grpcStatus.INVALID_ARGUMENT, details: 'first request must carry node with a non-empty id' }),
    );
    expect(stream.responses).toHaveLength(0);
  });

  test('a request without type_url ends the stream with INVALID_ARGUMENT', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: '' }));
    expect(stream.status?.code).toBe(grpcStatus.INVALID_ARGUMENT);
  });

  test('LDS and CDS with no names are wildcard subscriptions', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    stream.push(sotwRequest({ typeUrl: TypeUrl.Cluster }));
    const [lds, cds] = stream.take();
    expect(lds.type_url).toBe(TypeUrl.Listener);
    expect(names(lds)).toEqual(['0.0.0.0_9080']);
    expect(lds.nonce).not.toBe('');
    expect(lds.control_plane?.identifier).toBe('meshform-test');
    expect(names(cds).sort()).toEqual([REVIEWS_CLUSTER, 'PassthroughCluster'].sort());
  });

  test('RDS and EDS are named subscriptions', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.RouteConfiguration, names: ['9080'] }));
    stream.push(sotwRequest({ typeUrl: TypeUrl.ClusterLoadAssignment, names: [REVIEWS_CLUSTER] }));
    const [rds, eds] = stream.take();
    expect(names(rds)).toEqual(['9080']);
    expect(names(eds)).toEqual([REVIEWS_CLUSTER]);
    // RDS with no names subscribes to nothing
    const other = setup();
    other.stream.push(sotwRequest({ typeUrl: TypeUrl.RouteConfiguration }));
    expect(names(other.stream.take()[0])).toEqual([]);
  });

  test('waits for a snapshot when the proxy has none yet', () => {
    const { stream, cache } = setup(false);
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    expect(stream.responses).toHaveLength(0);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    expect(names(stream.take()[0])).toEqual(['0.0.0.0_9080']);
  });

  test('an ACK marks the type acked and the next version is pushed', () => {
    const { stream, status, cache } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    const [first] = stream.take();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener, version: first.version_info, nonce: first.nonce }));
    const lds = status.streamsOf(NODE_ID)[0].types.find((t) => t.typeUrl === TypeUrl.Listener);
    expect(lds).toEqual(
      expect.objectContaining({ sentVersion: first.version_info, sentNonce: first.nonce, ackedVersion: first.version_info }),
    );
    expect(stream.responses).toHaveLength(0);

    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'v2' }));
    const [second] = stream.take();
    expect(second.version_info).not.toBe(first.version_info);
    expect(second.nonce).not.toBe(first.nonce);
  });

  test('a NACK keeps the last accepted version, is logged, counted and recorded, and is not resent', () => {
    const { stream, status, cache, logs } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    const [v1] = stream.take();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener, version: v1.version_info, nonce: v1.nonce }));

    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'bad' }));
    const [v2] = stream.take();
    stream.push(
      sotwRequest({ typeUrl: TypeUrl.Listener, version: v1.version_info, nonce: v2.nonce, error: 'invalid stat_prefix' }),
    );

    expect(stream.responses).toHaveLength(0);
    const lds = status.streamsOf(NODE_ID)[0].types.find((t) => t.typeUrl === TypeUrl.Listener)!;
    expect(lds.ackedVersion).toBe(v1.version_info);
    expect(lds.sentVersion).toBe(v2.version_info);
    expect(lds.nackCount).toBe(1);
    expect(lds.lastNack).toEqual(
      expect.objectContaining({ nodeId: NODE_ID, version: v2.version_info, nonce: v2.nonce, message: 'invalid stat_prefix' }),
    );
    expect(status.nackCount(TypeUrl.Listener)).toBe(1);
    expect(status.recentNacks()).toHaveLength(1);
    expect(logs).toContain(`xds: NACK from ${NODE_ID} for LDS version ${v2.version_info}: invalid stat_prefix`);

    // the same snapshot again does not resend; a fixed one does
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'bad' }));
    expect(stream.responses).toHaveLength(0);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'fixed' }));
    expect(stream.take()).toHaveLength(1);
  });

  test('a request with a stale nonce is ignored', () => {
    const { stream, cache, status } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.RouteConfiguration, names: ['9080'] }));
    const [r1] = stream.take();
    stream.push(sotwRequest({ typeUrl: TypeUrl.RouteConfiguration, names: ['9080'], version: r1.version_info, nonce: r1.nonce }));
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ routeTimeout: '5s' }));
    const [r2] = stream.take();

    // GIVEN a request answering the older response, with other names
    stream.push(sotwRequest({ typeUrl: TypeUrl.RouteConfiguration, names: ['8080'], version: r1.version_info, nonce: r1.nonce }));
    // THEN nothing is sent and nothing is recorded
    expect(stream.responses).toHaveLength(0);
    const rds = status.streamsOf(NODE_ID)[0].types.find((t) => t.typeUrl === TypeUrl.RouteConfiguration)!;
    expect(rds.subscription.names).toEqual(['9080']);
    expect(rds.ackedVersion).toBe(r1.version_info);
    expect(rds.sentNonce).toBe(r2.nonce);
  });

  test('resubscribing with other names sends the requested resources at once', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Cluster, names: ['PassthroughCluster'] }));
    const [c1] = stream.take();
    expect(names(c1)).toEqual(['PassthroughCluster']);
    stream.push(
      sotwRequest({ typeUrl: TypeUrl.Cluster, names: ['PassthroughCluster', REVIEWS_CLUSTER], version: c1.version_info, nonce: c1.nonce }),
    );
    const [c2] = stream.take();
    expect(c2.version_info).toBe(c1.version_info);
    expect(names(c2).sort()).toEqual(['PassthroughCluster', REVIEWS_CLUSTER].sort());
  });

  test('a snapshot update pushes only the types that changed', () => {
    const { stream, cache } = setup();
    const subscribe: Array<[string, string[]]> = [
      [TypeUrl.Cluster, []],
      [TypeUrl.ClusterLoadAssignment, [REVIEWS_CLUSTER]],
      [TypeUrl.Listener, []],
      [TypeUrl.RouteConfiguration, ['9080']],
    ];
    for (const [typeUrl, resourceNames] of subscribe) stream.push(sotwRequest({ typeUrl, names: resourceNames }));
    for (const r of stream.take()) {
      const resourceNames = subscribe.find(([t]) => t === r.type_url)![1];
      stream.push(sotwRequest({ typeUrl: r.type_url, names: resourceNames, version: r.version_info, nonce: r.nonce }));
    }
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ endpoints: ['10.0.1.9'] }));
    const pushed = stream.take();
    expect(pushed.map((r) => r.type_url)).toEqual([TypeUrl.ClusterLoadAssignment]);
  });

  test('a reconnecting proxy that already holds the current version receives nothing until it changes', () => {
    const { stream, cache } = setup();
    const current = cache.getSnapshot(NODE_ID)!.version(TypeUrl.Listener);
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener, version: current }));
    expect(stream.responses).toHaveLength(0);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot({ statPrefix: 'new' }));
    expect(stream.take()).toHaveLength(1);
  });

  test('cancelling the stream cancels its watches and forgets the proxy', () => {
    const { stream, cache, status } = setup(false);
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    stream.push(sotwRequest({ typeUrl: TypeUrl.Cluster }));
    expect(cache.pendingWatchCount(NODE_ID)).toBe(2);
    expect(status.streams()).toHaveLength(1);
    stream.cancel();
    expect(cache.pendingWatchCount(NODE_ID)).toBe(0);
    expect(status.streams()).toHaveLength(0);
    cache.setSnapshot(NODE_ID, bookinfoSnapshot());
    expect(stream.responses).toHaveLength(0);
  });

  test('a node id that changes mid-stream ends the stream', () => {
    const { stream } = setup();
    stream.push(sotwRequest({ typeUrl: TypeUrl.Listener }));
    stream.push(sotwRequest({ typeUrl: TypeUrl.Cluster, node: { id: 'other', cluster: '' } }));
    expect(stream.status?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(stream.status?.details).toMatch(/node id must not change/);
  });
});
