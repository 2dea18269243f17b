import { adsServiceDefinition, DiscoveryRequest } from '../../runtime/xds/protos';
import { sotwSubscription } from '../../runtime/xds/server/subscription';

const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const method = adsServiceDefinition()['StreamAggregatedResources'];
if (!method) throw new Error('ADS definition lacks StreamAggregatedResources');
const encode = (request: Partial<DiscoveryRequest>): Buffer => method.requestSerialize(request);
const decode = (bytes: Buffer): DiscoveryRequest => method.requestDeserialize(bytes) as DiscoveryRequest;

describe('DiscoveryRequest resource names as received', () => {
  it('decodes every field, with the names read on demand', () => {
    const request = decode(
      encode({ version_info: '7', resource_names: ['b', 'ü-a'], type_url: EDS, response_nonce: '3', node: { id: 'n1', cluster: 'c' } }),
    );
    expect(request.version_info).toBe('7');
    expect(request.type_url).toBe(EDS);
    expect(request.response_nonce).toBe('3');
    expect(request.node?.id).toBe('n1');
    expect(request.resource_names).toEqual(['b', 'ü-a']);
    expect(request.resource_names_encoded).toBeInstanceOf(Buffer);
  });

  it('leaves requests without names as the plain decoder reads them', () => {
    const request = decode(encode({ type_url: EDS }));
    expect(request.resource_names).toEqual([]);
    expect(request.resource_names_encoded).toBeUndefined();
  });

  it('decodes names interleaved with other fields whole', () => {
    const first = encode({ resource_names: ['a'] });
    const middle = encode({ type_url: EDS });
    const last = encode({ resource_names: ['b'] });
    const request = decode(Buffer.concat([first, middle, last]));
    expect(request.resource_names).toEqual(['a', 'b']);
    expect(request.type_url).toBe(EDS);
    expect(request.resource_names_encoded).toBeUndefined();
  });

  it('an ACK spelling the same names byte for byte keeps the subscription; other bytes are read', () => {
    const names = Array.from({ length: 50 }, (_, i) => `outbound|9080|v${i % 2}|svc-${i}.ns.svc.cluster.local`);
    const first = sotwSubscription(undefined, EDS, decode(encode({ resource_names: names, type_url: EDS })));
    const ack = decode(encode({ resource_names: names, type_url: EDS, response_nonce: '1' }));
    expect(sotwSubscription(first, EDS, ack)).toBe(first);
    const changed = sotwSubscription(first, EDS, decode(encode({ resource_names: [...names.slice(1), 'new'], type_url: EDS })));
    expect(changed).not.toBe(first);
    expect(changed.names.has('new')).toBe(true);
    expect(changed.names.has(names[0] as string)).toBe(false);
  });

  it('a wildcard subscription with the same names does not take the byte shortcut', () => {
    const names = ['x', 'y'];
    const wild = sotwSubscription(undefined, EDS, decode(encode({ resource_names: ['*', ...names], type_url: EDS })));
    sotwSubscription(undefined, EDS, decode(encode({ resource_names: names, type_url: EDS })));
    const named = sotwSubscription(wild, EDS, decode(encode({ resource_names: names, type_url: EDS })));
    expect(named.wildcard).toBe(false);
  });
});
