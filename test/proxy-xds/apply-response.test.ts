/** Envoy's warming rules on the applied-config snapshot, without a network. */
import { packResource, PlainMessage } from '../../runtime/xds/protos';
import {
  AppliedResource, applyResponse, configDump, DomainByTypeName, expireWarming, ProxyConfigSnapshot, ProxyConfigStore, XdsTypeName,
} from '../../runtime/proxy/config';
import { decodeResponse, TYPE_URL_OF } from '../../runtime/proxy/xds-client';
import { REVIEWS_CLUSTER, reviewsCluster, reviewsEndpoints } from '../xds/fixtures';

const AT = new Date('2025-01-02T03:04:05.000Z');

function decoded<K extends XdsTypeName>(type: K, version: string, plain: readonly PlainMessage[]): AppliedResource<DomainByTypeName[K]>[] {
  const result = decodeResponse(type, version, plain.map((p) => packResource(TYPE_URL_OF[type], p)), AT);
  if (!result.ok) throw new Error(result.message);
  return result.resources;
}

function apply<K extends XdsTypeName>(s: ProxyConfigSnapshot, type: K, version: string, plain: readonly PlainMessage[]) {
  return applyResponse(s, type, version, decoded(type, version, plain), AT);
}

function withServiceName(name: string): PlainMessage {
  const c = reviewsCluster() as { eds_cluster_config: Record<string, unknown> };
  return { ...c, eds_cluster_config: { ...c.eds_cluster_config, service_name: name } };
}

describe('applyResponse', () => {
  test('an EDS cluster warms until its load assignment arrives; then both change in one snapshot', () => {
    const cds = apply(ProxyConfigSnapshot.empty(), 'CDS', 'c1', [reviewsCluster()]);
    expect(cds.changedTypes).toEqual(['CDS']);
    expect(cds.snapshot.cluster(REVIEWS_CLUSTER)).toBeUndefined();
    expect(cds.snapshot.warmingClusters.has(REVIEWS_CLUSTER)).toBe(true);
    const eds = apply(cds.snapshot, 'EDS', 'e1', [reviewsEndpoints()]);
    expect(eds.changedTypes).toEqual(['CDS', 'EDS']);
    expect(eds.snapshot.cluster(REVIEWS_CLUSTER)).toBeDefined();
    expect(eds.snapshot.warmingClusters.size).toBe(0);
  });

  test('a changed cluster that needs new endpoints warms while the previous version keeps serving', () => {
    let s = apply(ProxyConfigSnapshot.empty(), 'CDS', 'c1', [reviewsCluster()]).snapshot;
    s = apply(s, 'EDS', 'e1', [reviewsEndpoints()]).snapshot;
    const live = s.clusters.get(REVIEWS_CLUSTER)!;
    const next = apply(s, 'CDS', 'c2', [withServiceName('reviews-v2')]).snapshot;
    expect(next.clusters.get(REVIEWS_CLUSTER)).toBe(live);
    expect(next.warmingClusters.get(REVIEWS_CLUSTER)?.versionInfo).toBe('c2');
    expect(next.endpointsFor(REVIEWS_CLUSTER)).toBeDefined(); // still the old assignment
    // and after the initial fetch timeout it goes live without endpoints
    const expired = expireWarming(next, 'CDS', [REVIEWS_CLUSTER]);
    expect(expired.changedTypes).toEqual(['CDS']);
    expect(expired.snapshot.endpointsFor(REVIEWS_CLUSTER)).toBeUndefined();
  });

  test('unchanged content keeps its version and timestamp; a removed cluster takes its load assignment along', () => {
    let s = apply(ProxyConfigSnapshot.empty(), 'CDS', 'c1', [reviewsCluster()]).snapshot;
    s = apply(s, 'EDS', 'e1', [reviewsEndpoints()]).snapshot;
    const again = apply(s, 'CDS', 'c2', [reviewsCluster()]);
    expect(again.changedTypes).toEqual(['CDS']); // only the version moved
    expect(again.snapshot.clusters.get(REVIEWS_CLUSTER)?.versionInfo).toBe('c1');
    const removed = apply(again.snapshot, 'CDS', 'c3', []);
    expect(removed.changedTypes).toEqual(['CDS', 'EDS']);
    expect(removed.snapshot.loadAssignments.size).toBe(0);
    expect(applyResponse(removed.snapshot, 'CDS', 'c3', [], AT).changedTypes).toEqual([]);
  });
});

describe('ProxyConfigStore', () => {
  test('notifies listeners after replacing; a throwing listener does not stop the others', () => {
    const errors: unknown[] = [];
    const store = new ProxyConfigStore({ onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    store.onUpdate(() => { throw new Error('boom'); });
    const off = store.onUpdate((prev, next, changed) => seen.push(`${prev.revision}->${next.revision}:${changed.join(',')}:${store.current === next}`));
    const next = apply(store.current, 'CDS', 'c1', [reviewsCluster()]);
    store.replace(next.snapshot, next.changedTypes);
    store.replace(next.snapshot, []);
    off();
    store.replace(ProxyConfigSnapshot.empty(), ['CDS']);
    expect(seen).toEqual(['0->1:CDS:true']);
    expect(errors).toHaveLength(2); // the throwing listener is still subscribed
  });
});

describe('configDump', () => {
  test('warming clusters and NACKed resources are rendered as Envoy does', () => {
    const s = apply(ProxyConfigSnapshot.empty(), 'CDS', 'c1', [reviewsCluster()]).snapshot;
    const dump = configDump(s, {
      updateFailures: [{ type: 'CDS', versionInfo: 'c2', nonce: '7', at: AT, details: 'x', resources: [{ name: 'bad', errors: ['connect_timeout: must be positive'] }] }],
    });
    const clusters = dump.configs[1] as Record<string, unknown>;
    expect(clusters).toEqual({
      '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
      version_info: 'c1',
      static_clusters: [],
      dynamic_active_clusters: [{
        error_state: { last_update_attempt: AT.toISOString(), details: 'bad: connect_timeout: must be positive', version_info: 'c2' },
        client_status: 'NACKED',
      }],
      dynamic_warming_clusters: [{
        version_info: 'c1',
        cluster: expect.objectContaining({ '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: REVIEWS_CLUSTER, type: 'EDS' }),
        last_updated: AT.toISOString(),
      }],
    });
    expect(configDump(ProxyConfigSnapshot.empty()).configs[0]).toEqual({
      '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', static_listeners: [], dynamic_listeners: [],
    });
  });
});
