import { adsServiceDefinition, DiscoveryResponse, packResource, resourceProtoRoot } from '../../runtime/xds/protos';
import { encodeDiscoveryResponse } from '../../runtime/xds/response-encoding';

const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const method = adsServiceDefinition()['StreamAggregatedResources'];
if (!method) throw new Error('ADS definition lacks StreamAggregatedResources');
const decode = (bytes: Buffer): DiscoveryResponse => method.responseDeserialize(bytes) as DiscoveryResponse;
const generic = (value: object): Buffer => {
  const type = resourceProtoRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  return Buffer.from(type.encode(type.fromObject(value)).finish());
};

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
