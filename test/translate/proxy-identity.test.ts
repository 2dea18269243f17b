import { ProxyIdentityError, parseNodeId, proxyIdentity } from '../../runtime/xds/translate/proxy-identity';
import { nodeInfo } from '../../runtime/xds/server/node';
import { NODE } from '../xds/fixtures';

describe('proxy identity', () => {
  it('reads a sidecar id and its metadata', () => {
    expect(proxyIdentity({
      id: 'sidecar~10.0.0.5~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local',
      metadata: { NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' }, WORKLOAD_NAME: 'productpage-v1', GENERATOR: 'grpc' },
    })).toEqual({
      id: 'sidecar~10.0.0.5~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local',
      type: 'sidecar',
      ip: '10.0.0.5',
      podName: 'productpage-v1-6b746f74dc-9stvs',
      namespace: 'default',
      dnsDomain: 'default.svc.cluster.local',
      labels: { app: 'productpage', version: 'v1' },
      workloadName: 'productpage-v1',
      generator: 'grpc',
    });
  });

  it('reads a router id, and IPv6 addresses', () => {
    const router = parseNodeId('router~fd00::9~istio-ingressgateway-5d9f.istio-system~istio-system.svc.cluster.local');
    expect(router).toMatchObject({ type: 'router', ip: 'fd00::9', namespace: 'istio-system' });
  });

  it('reads the node the xDS server hands over', () => {
    const info = nodeInfo(NODE);
    expect(info).toBeDefined();
    expect(proxyIdentity(info as NonNullable<typeof info>).labels).toEqual({ app: 'productpage', version: 'v1' });
  });

  it.each([
    ['sidecar~10.0.0.5~pod.default', /got 3 '~'-separated part/],
    ['gateway~10.0.0.5~pod.default~default.svc.cluster.local', /type must be 'sidecar' or 'router', got 'gateway'/],
    ['sidecar~10.0.0~pod.default~default.svc.cluster.local', /'10.0.0' is not an IP address/],
    ['sidecar~10.0.0.5~pod~default.svc.cluster.local', /third part must be POD.NAMESPACE, got 'pod'/],
    ['sidecar~10.0.0.5~pod.default~other.svc.cluster.local', /fourth part must be 'default.svc.<cluster domain>'/],
    ['sidecar~10.0.0.5~pod.Default~Default.svc.cluster.local', /namespace 'Default' is not a DNS-1123 label/],
  ])('rejects %s', (id, message) => {
    expect(() => parseNodeId(id)).toThrow(ProxyIdentityError);
    expect(() => parseNodeId(id)).toThrow(message);
  });

  it('rejects metadata that contradicts the id or is malformed', () => {
    const id = 'sidecar~10.0.0.5~pod.default~default.svc.cluster.local';
    expect(() => proxyIdentity({ id, metadata: { NAMESPACE: 'prod' } })).toThrow(/NAMESPACE 'prod' differs from the id's namespace 'default'/);
    expect(() => proxyIdentity({ id, metadata: { LABELS: { app: 1 } } })).toThrow(/LABELS.app must be a string/);
    expect(() => proxyIdentity({ id, metadata: { LABELS: 'app=x' } })).toThrow(/LABELS must be an object/);
  });
});
