import { adsServiceDefinition, DiscoveryResponse, packResource, resourceProtoRoot } from '../../runtime/xds/protos';
import { encodeDeltaDiscoveryResponse, encodeDiscoveryResponse } from '../../runtime/xds/response-encoding';

const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const method = adsServiceDefinition()['StreamAggregatedResources'];
if (!method) throw new Error('ADS definition lacks StreamAggregatedResources');
const decode = (bytes: Buffer): DiscoveryResponse => method.responseDeserialize(bytes) as DiscoveryResponse;
const genericOf = (message: string) => (value: object): Buffer => {
  const type = resourceProtoRoot().lookupType(`envoy.service.discovery.v3.${message}`);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
};
const generic = genericOf('DiscoveryResponse');

describe('hand-encoded discovery responses', () => {
  const route = packResource(RDS, { name: '9080', virtual_hosts: [{ name: 'v', domains: ['v', 'ü'], routes: [] }] });
  const response = {
    version_info: 'v7',
    resources: [route, route],
    type_url: RDS,
    nonce: '12',
    control_plane: { identifier: 'meshform' },
  };

  it('are byte for byte what the generic encoder writes', () => {
    expect(encodeDiscoveryResponse(response)).toEqual(generic(response));
    expect(encodeDiscoveryResponse({ ...response, resources: [], version_info: '' })).toEqual(
      generic({ ...response, resources: [], version_info: '' }),
    );
  });

  it('decode to what was sent, through the ADS service definition', () => {
    const bytes = method.responseSerialize(response);
    const back = decode(bytes);
    expect(back).toMatchObject({ version_info: 'v7', type_url: RDS, nonce: '12', control_plane: { identifier: 'meshform' } });
    expect(back.resources.map((r) => Buffer.from(r.value))).toEqual([route.value, route.value]);
  });

  it('leave what they do not know to the generic encoder', () => {
    expect(encodeDiscoveryResponse({ ...response, canary: true })).toBeUndefined();
    expect(encodeDiscoveryResponse({ ...response, resources: [{ type_url: RDS, value: 'not bytes' }] })).toBeUndefined();
    expect(method.responseSerialize({ ...response, canary: true })).toEqual(generic({ ...response, canary: true }));
  });
});

describe('hand-encoded delta discovery responses', () => {
  const delta = adsServiceDefinition()['DeltaAggregatedResources'];
  if (!delta) throw new Error('ADS definition lacks DeltaAggregatedResources');
  const route = packResource(RDS, { name: 'r1', virtual_hosts: [{ name: 'v', domains: ['v'], routes: [] }] });
  const response = {
    system_version_info: 'v3',
    resources: [{ name: 'r1', version: 'a1', resource: route }],
    type_url: RDS,
    removed_resources: ['gone', ''],
    nonce: '4',
    control_plane: { identifier: 'meshform' },
  };

  it('are byte for byte what the generic encoder writes, and decode to what was sent', () => {
    expect(encodeDeltaDiscoveryResponse(response)).toEqual(genericOf('DeltaDiscoveryResponse')(response));
    const back = delta.responseDeserialize(delta.responseSerialize(response)) as { resources: { name: string; version: string; resource: { value: Uint8Array } }[]; removed_resources: string[] };
    expect(back.resources.map((r) => [r.name, r.version, Buffer.from(r.resource.value)])).toEqual([['r1', 'a1', route.value]]);
    expect(back.removed_resources).toEqual(['gone', '']);
  });

  it('encode one packed resource under another name or version afresh', () => {
    const first = encodeDeltaDiscoveryResponse(response);
    const renamed = { ...response, resources: [{ name: 'r2', version: 'a2', resource: route }] };
    expect(encodeDeltaDiscoveryResponse(renamed)).toEqual(genericOf('DeltaDiscoveryResponse')(renamed));
    expect(encodeDeltaDiscoveryResponse(response)).toEqual(first);
  });

  it('leave what they do not know to the generic encoder', () => {
    expect(encodeDeltaDiscoveryResponse({ ...response, resources: [{ name: 'r1', version: 'a1', resource: route, aliases: ['x'] }] })).toBeUndefined();
    expect(encodeDeltaDiscoveryResponse({ ...response, removed_resources: [3] })).toBeUndefined();
  });
});
