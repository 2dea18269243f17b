/** The proxy's xDS node from CLI-like options. */
import { structToJson } from '../../runtime/xds/protos';
import { buildProxyNode, nodeMessage, parseLabels, ProxyNodeError, proxyNodeOptionsFromArgs } from '../../runtime/proxy/node';
import { proxyIdentity } from '../../runtime/xds/translate/proxy-identity';

describe('proxy node', () => {
  test('from --node-id, --labels and --namespace: Istio id and metadata, no GENERATOR', () => {
    const node = buildProxyNode(proxyNodeOptionsFromArgs([
      'proxy', '--node-id', 'sidecar~10.0.0.5~reviews-v1-6b746f74dc-9stvs.default~default.svc.cluster.local',
      '--labels', 'app=reviews,version=v1', '--namespace', 'default', '--unrelated', 'x',
    ]));
    expect(node.id).toBe('sidecar~10.0.0.5~reviews-v1-6b746f74dc-9stvs.default~default.svc.cluster.local');
    expect(node.cluster).toBe('reviews.default');
    expect(node.metadata).toEqual({
      NAME: 'reviews-v1-6b746f74dc-9stvs', NAMESPACE: 'default', INSTANCE_IPS: '10.0.0.5', LABELS: { app: 'reviews', version: 'v1' },
      WORKLOAD_NAME: 'reviews-v1', INTERCEPTION_MODE: 'REDIRECT', CLUSTER_ID: 'Kubernetes',
    });
    // the control plane reads the same identity back from the wire form
    const wire = nodeMessage(node);
    const identity = proxyIdentity({ id: wire.id, metadata: structToJson(wire.metadata) });
    expect(identity).toEqual(expect.objectContaining({ type: 'sidecar', namespace: 'default', labels: { app: 'reviews', version: 'v1' }, workloadName: 'reviews-v1' }));
    expect(identity.generator).toBeUndefined();
  });

  test('built from parts when no id is given; router for gateways', () => {
    const node = buildProxyNode({ type: 'router', ip: '127.0.0.10', podName: 'ingress-gw', namespace: 'istio-system', interceptionMode: 'NONE' });
    expect(node.id).toBe('router~127.0.0.10~ingress-gw.istio-system~istio-system.svc.cluster.local');
    expect(node.metadata.INTERCEPTION_MODE).toBe('NONE');
  });

  test('errors name the option, the expectation and the value', () => {
    expect(() => buildProxyNode({ nodeId: 'sidecar~10.0.0.5~p.default~default.svc.cluster.local', namespace: 'other' }))
      .toThrow("--namespace 'other' differs from the node id 'sidecar~10.0.0.5~p.default~default.svc.cluster.local', which says 'default'");
    expect(() => buildProxyNode({ nodeId: 'proxy~1' })).toThrow(ProxyNodeError);
    expect(() => buildProxyNode({ ip: 'not-an-ip' })).toThrow("--ip: expected an IP address, got 'not-an-ip'");
    expect(() => parseLabels('app')).toThrow("--labels: entry 'app' must be key=value");
    expect(() => parseLabels('app=a,app=b')).toThrow("--labels: key 'app' is given twice");
    expect(() => parseLabels('app=has space')).toThrow(/not a valid label value/);
    expect(() => proxyNodeOptionsFromArgs(['--type', 'gateway'])).toThrow("--type: expected 'sidecar' or 'router', got 'gateway'");
    expect(parseLabels('')).toEqual({});
    expect(parseLabels('example.com/tier=web')).toEqual({ 'example.com/tier': 'web' });
  });
});
