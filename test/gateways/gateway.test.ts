import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { EgressGateway } from '../../constructs/gateways/egress-gateway';
import { MeshGatewayBaseProps } from '../../constructs/gateways/gateway-base';
import { GatewayServer } from '../../constructs/gateways/gateway-server';
import { GatewayTls } from '../../constructs/gateways/gateway-tls';
import { IngressGateway } from '../../constructs/gateways/ingress-gateway';
import { Mesh } from '../../constructs/mesh';
import { expectIndependentlyValid } from '../support/independent-validate';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: any }; [k: string]: any };

function setup(props: MeshGatewayBaseProps = {}, egress = false) {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
  const gateway = egress ? mesh.addEgressGateway('gw', props) : mesh.addIngressGateway('gw', props);
  const synth = () => (Testing.synth(chart) as Obj[]).filter((o) => o.kind !== 'PeerAuthentication');
  const one = (kind: string) => synth().find((o) => o.kind === kind)!;
  return { chart, mesh, gateway, synth, one };
}

const HTTP = GatewayServer.http({ port: 80, hosts: ['*'] });

describe('IngressGateway', () => {
  test('snapshot', () => {
    const { gateway, synth } = setup();
    gateway.addServer(HTTP);
    gateway.addServer(GatewayServer.https({
      port: 443, hosts: ['bookinfo.example.com'], tls: GatewayTls.simple({ credentialName: 'bookinfo-cert' }),
    }));
    expect(synth()).toMatchSnapshot();
  });

  test('every synthesized object passes the independent schemas (Gateway included)', () => {
    const { gateway, synth } = setup();
    gateway.addServer(HTTP)
      .addServer(GatewayServer.https({ port: 443, hosts: ['a.example.com'], tls: GatewayTls.mutual({ credentialName: 'a-mtls' }) }))
      .addServer(GatewayServer.tls({ port: 8443, hosts: ['b.example.com'], tls: GatewayTls.passthrough() }))
      .addServer(GatewayServer.tcp({ port: 31400, hosts: ['*'] }));
    expectIndependentlyValid(synth());
  });

  test('a router proxy labelled istio: ingressgateway behind a LoadBalancer', () => {
    const { gateway, one } = setup({ servers: [HTTP] });
    const d = one('Deployment');
    expect(d.metadata).toMatchObject({ name: 'istio-ingressgateway', namespace: 'istio-system' });
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app': 'istio-ingressgateway', 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'false' });
    const proxy = d.spec.template.spec.containers[0];
    expect(proxy.name).toBe('istio-proxy');
    expect(proxy.args).toEqual([
      'proxy', '--xds-address', 'istiod.istio-system.svc:15010',
      '--node-id', 'router~$(POD_IP)~$(POD_NAME).$(POD_NAMESPACE)~$(POD_NAMESPACE).svc.cluster.local',
    ]);
    expect(proxy.readinessProbe.httpGet).toMatchObject({ path: '/healthz/ready', port: 15021 });
    expect(proxy.securityContext).toMatchObject({ runAsUser: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(d.spec.template.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(one('Service').spec.type).toBe('LoadBalancer');
    expect(gateway.gatewayName).toBe('istio-system/istio-ingressgateway');
  });

  test('the Gateway resource selects istio: ingressgateway and lists the servers', () => {
    const { one } = setup({ servers: [HTTP] });
    expect(one('Gateway')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, protocol: 'HTTP', name: 'http-80' }, hosts: ['*'] }],
      },
    });
  });

  test('servers added after construction render in the Gateway, Service and container', () => {
    const { gateway, synth } = setup({ servers: [HTTP] });
    synth();
    gateway.addServer(GatewayServer.https({
      port: 443, hosts: ['bookinfo.example.com'], tls: GatewayTls.simple({ credentialName: 'bookinfo-cert' }),
    }));
    // a second server on the same port and protocol shares the Service port
    gateway.addServer(GatewayServer.https({
      port: 443, hosts: ['reviews.example.com'], tls: GatewayTls.simple({ credentialName: 'reviews-cert' }),
    }));
    const objs = synth();
    const gw = objs.find((o) => o.kind === 'Gateway')!;
    expect(gw.spec.servers).toHaveLength(3);
    expect(gw.spec.servers[1]).toEqual({
      port: { number: 443, protocol: 'HTTPS', name: 'https-443' },
      hosts: ['bookinfo.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'bookinfo-cert' },
    });
    expect(objs.find((o) => o.kind === 'Service')!.spec.ports).toEqual([
      { name: 'status-port', port: 15021, targetPort: 15021 },
      { name: 'http-80', port: 80, targetPort: 80 },
      { name: 'https-443', port: 443, targetPort: 443 },
    ]);
    const ports = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].ports;
    expect(ports.map((p: any) => p.containerPort)).toEqual([15021, 15090, 80, 443]);
  });

  test('TLS modes render as Istio ServerTLSSettings', () => {
    const tls = (t: GatewayTls) => GatewayServer.https({ port: 443, hosts: ['*'], tls: t })
      ._render(() => { throw new Error('unexpected'); }).tls;
    expect(tls(GatewayTls.simple({ credentialName: 'c', minProtocolVersion: 'TLSV1_2' })))
      .toEqual({ mode: 'SIMPLE', credentialName: 'c', minProtocolVersion: 'TLSV1_2' });
    expect(tls(GatewayTls.mutual({ credentialName: 'c', subjectAltNames: ['spiffe://x'] })))
      .toEqual({ mode: 'MUTUAL', credentialName: 'c', subjectAltNames: ['spiffe://x'] });
    expect(tls(GatewayTls.passthrough())).toEqual({ mode: 'PASSTHROUGH' });
    expect(tls(GatewayTls.istioMutual())).toEqual({ mode: 'ISTIO_MUTUAL' });
    const redirect = GatewayServer.http({ port: 80, hosts: ['*'], httpsRedirect: true })._render(() => { throw new Error(); });
    expect(redirect.tls).toEqual({ httpsRedirect: true });
  });

  test('serviceType NodePort, name, namespace and replicas are honoured', () => {
    const { one, gateway } = setup({
      servers: [HTTP], serviceType: kplus.ServiceType.NODE_PORT, name: 'public-gw', namespace: 'edge', replicas: 3,
    });
    expect(one('Service').spec.type).toBe('NodePort');
    expect(one('Deployment').metadata).toMatchObject({ name: 'public-gw', namespace: 'edge' });
    expect(one('Deployment').spec.replicas).toBe(3);
    expect(gateway.gatewayName).toBe('edge/public-gw');
  });

  test('a gateway without servers fails at synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new IngressGateway(chart, 'gw', { mesh: new Mesh(chart, 'mesh', { controlPlane: 'external' }) });
    expect(() => app.synthYaml()).toThrow('c/gw: servers must hold at least one server (got none; add one with addServer)');
  });
});

describe('EgressGateway', () => {
  test('snapshot', () => {
    const { gateway, synth } = setup({}, true);
    gateway.addServer(GatewayServer.https({ port: 443, hosts: ['edition.cnn.com'], tls: GatewayTls.istioMutual() }));
    expect(synth()).toMatchSnapshot();
  });

  test('labelled istio: egressgateway behind a ClusterIP Service', () => {
    const { one, gateway } = setup({ servers: [HTTP] }, true);
    expect(gateway).toBeInstanceOf(EgressGateway);
    expect(one('Service').spec.type).toBe('ClusterIP');
    expect(one('Gateway').spec.selector).toEqual({ istio: 'egressgateway' });
    expect(one('Deployment').spec.template.metadata.labels).toMatchObject({ app: 'istio-egressgateway', istio: 'egressgateway' });
    expect(gateway.gatewayName).toBe('istio-system/istio-egressgateway');
    expectIndependentlyValid(setup({ servers: [HTTP] }, true).synth());
  });
});

describe('gateway server validation', () => {
  const add = (server: GatewayServer) => () => setup().gateway.addServer(server);

  test.each([[1, true], [65535, true], [0, false], [65536, false]])('port %d accepted: %s', (port, ok) => {
    const make = add(GatewayServer.tcp({ port, hosts: ['*'], portName: 'tcp' }));
    if (ok) expect(make).not.toThrow();
    else expect(make).toThrow(`test/mesh/gw: servers[0].port must be an integer from 1 to 65535 (got ${port})`);
  });

  test('hosts must not be empty', () => {
    expect(add(GatewayServer.http({ port: 80, hosts: [] })))
      .toThrow('test/mesh/gw: servers[0].hosts must be a non-empty list of hosts (got [])');
  });

  test.each(['*', 'example.com', '*.example.com', 'bookinfo/*', './reviews.example.com', '*/*.example.com', 'a.b-c.d'])(
    'host %s is accepted', (host) => {
      expect(add(GatewayServer.http({ port: 80, hosts: [host] }))).not.toThrow();
    });

  test.each(['', 'foo.*.com', '**.example.com', 'example.com/', 'Bad_NS/host', 'exa mple.com', '*example.com', 'a/b/c'])(
    'host %p is rejected with path, field, expected and got', (host) => {
      expect(add(GatewayServer.http({ port: 80, hosts: ['*', host] }))).toThrow(
        `test/mesh/gw: servers[0].hosts[1] must be '[<namespace>/]<host>' with host '*', a DNS name or '*.<DNS name>' (got '${host}')`,
      );
    });

  test('SIMPLE and MUTUAL need a credentialName', () => {
    expect(add(GatewayServer.https({ port: 443, hosts: ['*'], tls: GatewayTls.simple({ credentialName: '' }) })))
      .toThrow("test/mesh/gw: servers[0].tls.credentialName must be the name of a Secret (required for SIMPLE) (got '')");
    expect(add(GatewayServer.https({ port: 443, hosts: ['*'], tls: GatewayTls.mutual({ credentialName: '' }) })))
      .toThrow('servers[0].tls.credentialName must be the name of a Secret (required for MUTUAL)');
  });

  test('a port carries one protocol, and the proxy\'s own ports are reserved', () => {
    const { gateway } = setup({ servers: [HTTP] });
    expect(() => gateway.addServer(GatewayServer.tcp({ port: 80, hosts: ['*'] })))
      .toThrow("test/mesh/gw: servers[1].port must be served with one protocol (port 80 is already HTTP) (got '80/TCP')");
    expect(() => gateway.addServer(GatewayServer.http({ port: 15021, hosts: ['*'] })))
      .toThrow('servers[1].port must be a port the proxy does not use itself');
  });

  test('port names follow the Istio convention', () => {
    expect(add(GatewayServer.http({ port: 80, hosts: ['*'], portName: 'web' })))
      .toThrow("test/mesh/gw: servers[0].portName must be '<protocol>[-<suffix>]'");
  });

  test('replicas: 1 is the minimum', () => {
    expect(() => setup({ replicas: 1 })).not.toThrow();
    expect(() => setup({ replicas: 0 })).toThrow('test/mesh/gw: replicas must be an integer >= 1 (got 0)');
  });
});
