import { Duration } from 'cdk8s';
import { CaptureMode, ExternalService, OutboundTrafficMode, Retry, ServiceResolution, SidecarScope } from '../../constructs/traffic';
import { chart, ofKind, synthValid } from './fakes';

describe('ExternalService', () => {
  test('httpbin.org with a 3s timeout: ServiceEntry plus VirtualService (snapshot)', () => {
    const c = chart();
    new ExternalService(c, 'httpbin', { hosts: ['httpbin.org'], ports: [{ number: 80, protocol: 'HTTP', name: 'http' }], timeout: Duration.seconds(3) });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    const [se] = ofKind(out, 'ServiceEntry');
    expect(se.spec).toEqual({
      hosts: ['httpbin.org'],
      ports: [{ number: 80, protocol: 'HTTP', name: 'http' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
    });
    const [vs] = ofKind(out, 'VirtualService');
    expect(vs.spec).toEqual({
      hosts: ['httpbin.org'],
      http: [{ route: [{ destination: { host: 'httpbin.org' }, weight: 100 }], timeout: '3s' }],
    });
  });

  test('without timeout or retries: no VirtualService; retries added later emit one', () => {
    const c = chart();
    const ext = new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: 'HTTPS' }] });
    expect(synthValid(c).map((m) => m.kind)).toEqual(['ServiceEntry']);
    expect(synthValid(c)[0].spec.ports).toEqual([{ number: 443, protocol: 'HTTPS', name: 'https-443' }]);
    ext.setRetries(Retry.onGatewayErrors());
    expect(() => synthValid(c)).toThrow('bookinfo/api: timeout and retries need an HTTP, HTTP2 or GRPC port (got HTTPS)');
  });

  test('STATIC resolution needs IP endpoints', () => {
    const c = chart();
    new ExternalService(c, 'db', {
      hosts: ['db.internal'], ports: [{ number: 5432, protocol: 'TCP' }], resolution: ServiceResolution.STATIC,
      endpoints: [{ address: '10.0.0.5' }, { address: 'db.example.com' }],
    });
    expect(() => synthValid(c)).toThrow('bookinfo/db: endpoints[1].address must be an IP address with resolution STATIC (got "db.example.com")');
  });

  test('wildcard hosts default to resolution NONE', () => {
    const c = chart();
    new ExternalService(c, 'wild', { hosts: ['*.example.com'], ports: [{ number: 443, protocol: 'TLS' }] });
    expect(synthValid(c)[0].spec.resolution).toBe('NONE');
  });

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('port %d valid=%s', (p, ok) => {
    const c = chart();
    new ExternalService(c, 'x', { hosts: ['x.example.com'], ports: [{ number: p, protocol: 'TCP', name: 'tcp' }] });
    if (ok) expect(() => synthValid(c)).not.toThrow();
    else expect(() => synthValid(c)).toThrow(`bookinfo/x: ports[0].number must be an integer between 1 and 65535 (got ${p})`);
  });
});

describe('SidecarScope', () => {
  test('defaults: own namespace and istio-system', () => {
    const c = chart();
    new SidecarScope(c, 'default', { namespace: 'bookinfo' });
    const [sc] = synthValid(c);
    expect(sc.metadata.namespace).toBe('bookinfo');
    expect(sc.spec).toEqual({ egress: [{ hosts: ['./*', 'istio-system/*'] }] });
  });

  test('capture-less local mode: ingress defaultEndpoint and bound egress (snapshot)', () => {
    const c = chart();
    const s = new SidecarScope(c, 'reviews', {
      namespace: 'default', selector: { app: 'reviews' }, outboundTrafficPolicy: OutboundTrafficMode.REGISTRY_ONLY,
    });
    s.addIngress({ port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:9080', bind: '127.0.0.12', captureMode: CaptureMode.NONE });
    s.addEgress({ port: { number: 9080, protocol: 'HTTP' }, bind: '127.0.0.1', captureMode: CaptureMode.NONE, hosts: ['./ratings.default.svc.cluster.local'] });
    const out = synthValid(c);
    expect(out).toMatchSnapshot();
    expect(out[0].spec.workloadSelector).toEqual({ labels: { app: 'reviews' } });
    expect(out[0].spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(out[0].spec.egress).toHaveLength(1);
  });

  test('bad egress hosts and endpoints are reported', () => {
    const c = chart();
    const s = new SidecarScope(c, 's', { namespace: 'default', egressHosts: ['reviews'] });
    s.addIngress({ port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '10.0.0.1:9080' });
    expect(() => synthValid(c)).toThrow("bookinfo/s: egress[0].hosts[0] must be <namespace>/<dnsName> with namespace '*', '.', '~' or a name (got \"reviews\")");
    expect(() => synthValid(c)).toThrow('ingress[0].defaultEndpoint must be 127.0.0.1:PORT');
  });
});
