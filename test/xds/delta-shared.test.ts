/**
 * Delta streams holding the same versions share what they hold: the held
 * state references the snapshots' shared layers, and answers come from the
 * difference between shared sets. These tests check the protocol stays exact
 * around that sharing (NACKs, unsubscribe/resubscribe, reconnects).
 */
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, PlainMessage } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { ConfigWatcher, HeldResources, KnownState, Snapshot, SnapshotCache } from '../../runtime/xds/cache';
import { handleDeltaStream, NO_METRICS, StreamDependencies, XdsStatusRegistry } from '../../runtime/xds/server';
import { deltaRequest, NODE, passthroughCluster } from './fixtures';
import { FakeStream } from './fake-stream';

const COUNT = 50;
const names = Array.from({ length: COUNT }, (_, i) => `outbound|80||svc-${String(i).padStart(2, '0')}.default.svc.cluster.local`);

function cluster(name: string): PlainMessage {
  return { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name }, connect_timeout: '1s' };
}

function endpoints(name: string, address: string): PlainMessage {
  return { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: 80 } } } }] }] };
}

/** Shared lists: the same array objects for every node, as the control plane builds them. */
const CLUSTERS: readonly PlainMessage[] = names.map(cluster);
const ENDPOINTS_V1: readonly PlainMessage[] = names.map((n, i) => endpoints(n, `10.0.0.${i}`));
/** svc-01 moved. */
const ENDPOINTS_V2: readonly PlainMessage[] = ENDPOINTS_V1.map((e, i) => (i === 1 ? endpoints(names[1]!, '10.9.9.9') : e));
/** svc-02 moved (svc-01 as in v1). */
const ENDPOINTS_V3: readonly PlainMessage[] = ENDPOINTS_V1.map((e, i) => (i === 2 ? endpoints(names[2]!, '10.8.8.8') : e));
/** svc-01 as in v2, svc-02 as in v3. */
const ENDPOINTS_V4: readonly PlainMessage[] = ENDPOINTS_V2.map((e, i) => (i === 2 ? ENDPOINTS_V3[2]! : e));

function snapshot(endpointList: readonly PlainMessage[]): Snapshot {
  return Snapshot.create({
    resources: {
      [TypeUrl.Cluster]: { shared: CLUSTERS, own: [passthroughCluster()] },
      [TypeUrl.ClusterLoadAssignment]: { shared: endpointList, own: [] },
    },
  });
}

/** A cache that remembers what every watch said the client holds. */
class RecordingWatcher implements ConfigWatcher {
  public readonly known: { nodeId: string; typeUrl: string; known: KnownState }[] = [];
  public constructor(public readonly cache: SnapshotCache) {}
  public watch(...args: Parameters<ConfigWatcher['watch']>): ReturnType<ConfigWatcher['watch']> {
    const [nodeId, typeUrl, known] = args;
    this.known.push({ nodeId, typeUrl, known });
    return this.cache.watch(...args);
  }
  public lastKnown(nodeId: string, typeUrl: string): KnownState {
    return [...this.known].reverse().find((k) => k.nodeId === nodeId && k.typeUrl === typeUrl)!.known;
  }
}

function setup(nodeIds: readonly string[] = [NODE.id!]) {
  const cache = new SnapshotCache();
  const watcher = new RecordingWatcher(cache);
  const status = new XdsStatusRegistry();
  const deps: StreamDependencies = {
    cache: watcher,
    logger: { info: () => undefined, warn: () => undefined },
    status,
    metrics: NO_METRICS,
    controlPlaneId: 'meshform-test',
  };
  for (const id of nodeIds) cache.setSnapshot(id, snapshot(ENDPOINTS_V1));
  const open = (): FakeStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> => {
    const stream = new FakeStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>();
    handleDeltaStream(stream, deps);
    return stream;
  };
  return { cache, watcher, status, open };
}

const node = (id: string) => ({ ...NODE, id });
const namesOf = (r: DeltaDiscoveryResponse) => r.resources.map((x) => x.name);
const EDS = TypeUrl.ClusterLoadAssignment;

/** Opens EDS subscribed to every service and ACKs the first response. */
function subscribeAll(stream: FakeStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>, id: string): DeltaDiscoveryResponse {
  stream.push(deltaRequest({ typeUrl: EDS, subscribe: names, node: node(id) }));
  const [first] = stream.take();
  expect(namesOf(first!)).toEqual(names);
  stream.push(deltaRequest({ typeUrl: EDS, nonce: first!.nonce, node: null }));
  return first!;
}

describe('delta ADS: shared held state', () => {
  test('streams holding the same versions share one held state; a change sends only what differs', () => {
    const { cache, watcher, open } = setup(['a', 'b']);
    const [a, b] = [open(), open()];
    for (const [stream, id] of [[a, 'a'], [b, 'b']] as const) {
      stream.push(deltaRequest({ typeUrl: TypeUrl.Cluster, node: node(id) }));
      expect(stream.take()[0]!.resources).toHaveLength(COUNT + 1);
      subscribeAll(stream, id);
    }
    const heldA = watcher.lastKnown('a', EDS);
    const heldB = watcher.lastKnown('b', EDS);
    expect(heldA).toBeInstanceOf(HeldResources);
    expect(heldB).toBeInstanceOf(HeldResources);
    const [ha, hb] = [heldA as HeldResources, heldB as HeldResources];
    expect(ha.basis?.shared).toBeDefined();
    expect(ha.basis?.shared).toBe(hb.basis?.shared);
    expect(ha.exceptions.size).toBe(0);
    expect(hb.exceptions.size).toBe(0);
    expect(ha.version(names[3]!)).toBe(cache.getSnapshot('a')!.resource(EDS, names[3]!)!.version);

    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    cache.setSnapshot('b', snapshot(ENDPOINTS_V2));
    for (const stream of [a, b]) {
      const responses = stream.take();
      expect(responses).toHaveLength(1); // no CDS: clusters unchanged
      expect(namesOf(responses[0]!)).toEqual([names[1]]);
      expect(responses[0]!.removed_resources).toEqual([]);
    }
    expect((watcher.lastKnown('a', EDS) as HeldResources).basis?.shared).toBe((watcher.lastKnown('b', EDS) as HeldResources).basis?.shared);
  });

  test('a removed shared resource is named in removed_resources, and only while subscribed', () => {
    const { cache, open } = setup(['a']);
    const a = open();
    subscribeAll(a, 'a');
    const fewer = Snapshot.create({
      resources: {
        [TypeUrl.Cluster]: { shared: CLUSTERS.slice(1), own: [] },
        [TypeUrl.ClusterLoadAssignment]: { shared: ENDPOINTS_V1.slice(1), own: [] },
      },
    });
    cache.setSnapshot('a', fewer);
    const [r] = a.take();
    expect(r!.resources).toEqual([]);
    expect(r!.removed_resources).toEqual([names[0]]);
  });

  test('a NACKed response is not counted as held: its resources count at the versions held before', () => {
    const { cache, status, open } = setup(['a']);
    const a = open();
    subscribeAll(a, 'a');
    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    const [v2] = a.take();
    expect(namesOf(v2!)).toEqual([names[1]]);
    a.push(deltaRequest({ typeUrl: EDS, nonce: v2!.nonce, error: 'bad endpoints', node: null }));
    // not sent again while the snapshot stays at the rejected version
    expect(a.take()).toHaveLength(0);
    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    expect(a.take()).toHaveLength(0);
    const eds = status.streamsOf('a')[0]!.types.find((t) => t.typeUrl === EDS)!;
    expect(eds.lastNack?.version).toBe(v2!.system_version_info);

    // svc-01 back to what the client holds, svc-02 changed: only svc-02
    cache.setSnapshot('a', snapshot(ENDPOINTS_V3));
    const [v3] = a.take();
    expect(namesOf(v3!)).toEqual([names[2]]);
    a.push(deltaRequest({ typeUrl: EDS, nonce: v3!.nonce, node: null }));
    expect(status.streamsOf('a')[0]!.types.find((t) => t.typeUrl === EDS)!.ackedVersion).toBe(v3!.system_version_info);

    // svc-01 rejected again, then another change: the rejected one is sent with it
    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    const [again] = a.take();
    expect(namesOf(again!)).toEqual([names[1], names[2]]);
    a.push(deltaRequest({ typeUrl: EDS, nonce: again!.nonce, error: 'still bad', node: null }));
    cache.setSnapshot('a', snapshot(ENDPOINTS_V4));
    const [v4] = a.take();
    expect(namesOf(v4!)).toEqual([names[1]]); // svc-02 is held at v3 already
  });

  test('unsubscribe then resubscribe after sharing resends the resource', () => {
    const { cache, open } = setup(['a', 'b']);
    const [a, b] = [open(), open()];
    subscribeAll(a, 'a');
    subscribeAll(b, 'b');
    a.push(deltaRequest({ typeUrl: EDS, unsubscribe: [names[1]!], node: null }));
    expect(a.take()).toHaveLength(0);

    // a change to the unsubscribed resource reaches only the stream still subscribed
    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    cache.setSnapshot('b', snapshot(ENDPOINTS_V2));
    expect(a.take()).toHaveLength(0);
    expect(namesOf(b.take()[0]!)).toEqual([names[1]]);

    // another change is sent; the unsubscribed name stays out
    cache.setSnapshot('a', snapshot(ENDPOINTS_V4));
    const [r] = a.take();
    expect(namesOf(r!)).toEqual([names[2]]);
    a.push(deltaRequest({ typeUrl: EDS, nonce: r!.nonce, node: null }));

    // subscribing again sends it, at its current version, even though nothing changed
    a.push(deltaRequest({ typeUrl: EDS, subscribe: [names[1]!], node: null }));
    const [back] = a.take();
    expect(namesOf(back!)).toEqual([names[1]]);
    expect(back!.resources[0]!.version).toBe(cache.getSnapshot('a')!.resource(EDS, names[1]!)!.version);
    a.push(deltaRequest({ typeUrl: EDS, nonce: back!.nonce, node: null }));
    expect(a.take()).toHaveLength(0);
  });

  test('a reconnect with initial_resource_versions gets what differs, then only changes', () => {
    const { cache, open } = setup(['a']);
    const first = open();
    const sent = subscribeAll(first, 'a');
    first.cancel();

    const initial: Record<string, string> = {};
    for (const r of sent.resources) initial[r.name] = r.version;
    initial[names[4]!] = 'stale';
    initial['outbound|80||gone.default.svc.cluster.local'] = 'whatever';
    const again = open();
    again.push(deltaRequest({ typeUrl: EDS, subscribe: [...names, 'outbound|80||gone.default.svc.cluster.local'], initial, node: node('a') }));
    const [r] = again.take();
    expect(namesOf(r!)).toEqual([names[4]]);
    expect(r!.removed_resources).toEqual(['outbound|80||gone.default.svc.cluster.local']);
    again.push(deltaRequest({ typeUrl: EDS, nonce: r!.nonce, node: null }));

    cache.setSnapshot('a', snapshot(ENDPOINTS_V2));
    expect(namesOf(again.take()[0]!)).toEqual([names[1]]);
  });

  test('initial versions of names not subscribed are forgotten', () => {
    const { open } = setup(['a']);
    const s = open();
    s.push(deltaRequest({ typeUrl: EDS, subscribe: [names[0]!], initial: { [names[0]!]: 'old', [names[1]!]: 'old' }, node: node('a') }));
    const [r] = s.take();
    expect(namesOf(r!)).toEqual([names[0]]);
    s.push(deltaRequest({ typeUrl: EDS, subscribe: [names[1]!], nonce: r!.nonce, node: null }));
    expect(namesOf(s.take()[0]!)).toEqual([names[1]]);
  });
});

describe('HeldResources', () => {
  test('exceptions override the basis; with() keeps the object when nothing changes', () => {
    const snap = snapshot(ENDPOINTS_V1);
    const layers = snap.layers(EDS);
    const held = HeldResources.exactly({ ...layers, scope: { wildcard: false, names: new Set([names[0]!, names[1]!]) } });
    expect(held.version(names[0]!)).toBe(snap.resource(EDS, names[0]!)!.version);
    expect(held.version(names[2]!)).toBeUndefined(); // not in the scope answered
    expect(held.names().sort()).toEqual([names[0], names[1]]);
    const dropped = held.with([[names[0]!, undefined]]);
    expect(dropped.version(names[0]!)).toBeUndefined();
    expect(dropped.names()).toEqual([names[1]]);
    expect(dropped.with([[names[0]!, undefined]])).toBe(dropped);
    expect(HeldResources.of({})).toBe(HeldResources.NONE);
  });
});
