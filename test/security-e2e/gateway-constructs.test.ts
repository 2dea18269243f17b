/**
 * The gateway constructs' TLS options (GatewayTls.simple / mutual /
 * passthrough) synthesize, pass `meshform analyze`'s rules, and translate
 * into the router's SNI filter chains once the credential Secrets exist.
 */
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { analyzeManifests } from '../../constructs/analysis';
import { GatewayServer } from '../../constructs/gateways/gateway-server';
import { GatewayTls } from '../../constructs/gateways/gateway-tls';
import { Mesh } from '../../constructs/mesh';
import type { ConfigObject } from '../../runtime/config/config-object';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import { readManifest } from '../../runtime/config/manifest-reader';
import { proxyIdentity, translate } from '../../runtime/xds/translate';
import { tlsSecretYaml } from './test-pki';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };

function synthGateway(): { objects: Obj[]; namespace: string; gatewayRef: string } {
  const chart = Testing.chart();
  const mesh = new Mesh(chart, 'mesh', { controlPlane: 'external' });
  const gateway = mesh.addIngressGateway('gw', {});
  gateway
    .addServer(GatewayServer.https({ port: 443, hosts: ['shop.example.com'], tls: GatewayTls.simple({ credentialName: 'shop-cert' }) }))
    .addServer(GatewayServer.https({ port: 8443, hosts: ['partners.example.com'], tls: GatewayTls.mutual({ credentialName: 'partners-cert' }) }))
    .addServer(GatewayServer.tls({ port: 9443, hosts: ['db.example.com'], tls: GatewayTls.passthrough() }));
  const objects = Testing.synth(chart) as Obj[];
  const name = objects.find((o) => o.kind === 'Gateway')?.metadata.name ?? '';
  return { objects, namespace: gateway.namespace, gatewayRef: `${gateway.namespace}/${name}` };
}

describe('gateway TLS from the constructs', () => {
  it('synthesizes servers that analysis accepts', () => {
    const { objects } = synthGateway();
    const gw = objects.find((o) => o.kind === 'Gateway');
    const servers = (gw?.spec?.servers ?? []) as { tls?: { mode?: string; credentialName?: string } }[];
    expect(servers.map((s) => s.tls?.mode)).toEqual(['SIMPLE', 'MUTUAL', 'PASSTHROUGH']);
    const findings = analyzeManifests(objects.map((object, i) => ({ object, source: `chart#${i}` })));
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
  });

  it('translates into SNI chains with the Secrets, leaving out a server whose Secret is missing', () => {
    const { objects, namespace, gatewayRef } = synthGateway();
    const gw = objects.find((o) => o.kind === 'Gateway') as Obj;
    const selector = (gw.spec?.selector ?? {}) as Record<string, string>;
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const extra = tlsSecretYaml(namespace, 'shop-cert', { cert: pem, key: 'KEY' }) + `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: default }
spec:
  hosts: ["shop.example.com", "partners.example.com"]
  gateways: ["${gatewayRef}"]
  http: [{ route: [{ destination: { host: shop.default.svc.cluster.local, port: { number: 80 } } }] }]
`;
    const docs: unknown[] = [...objects, ...yaml.loadAll(extra)];
    const config: ConfigObject[] = [];
    docs.forEach((doc, i) => {
      const r = readManifest(doc, { source: 'test', index: i + 1 }, 'default');
      if (r.type === 'object') config.push(r.object);
    });
    const router = proxyIdentity({ id: `router~10.0.9.1~gw-0.${namespace}~${namespace}.svc.cluster.local`, metadata: { LABELS: selector } });
    const { listeners } = translate(ConfigSnapshot.of(config), router);
    const https = listeners.find((l) => l.name === '0.0.0.0_443') as { listener_filters: unknown[]; filter_chains: { filter_chain_match?: { server_names: string[] }; transport_socket: unknown }[] };
    expect(https.listener_filters).toHaveLength(1);
    expect(https.filter_chains.map((c) => c.filter_chain_match?.server_names)).toEqual([['shop.example.com']]);
    expect(JSON.stringify(https.filter_chains[0]?.transport_socket)).toContain(Buffer.from(pem).toString('base64'));
    // partners-cert does not exist: no 8443 listener (as istiod leaves the server out).
    expect(listeners.some((l) => l.name === '0.0.0.0_8443')).toBe(false);
  });
});

describe('gateway TLS translation', () => {
  function translateYaml(text: string): { name: string; filter_chains: unknown[] }[] {
    const config: ConfigObject[] = [];
    yaml.loadAll(text).forEach((doc, i) => {
      const r = readManifest(doc, { source: 'test', index: i + 1 }, 'default');
      if (r.type === 'object') config.push(r.object);
    });
    const router = proxyIdentity({ id: 'router~10.0.9.1~gw-0.istio-system~istio-system.svc.cluster.local', metadata: { LABELS: { istio: 'ingressgateway' } } });
    return translate(ConfigSnapshot.of(config), router).listeners as unknown as { name: string; filter_chains: unknown[] }[];
  }

  it('keeps one listener per port when a PASSTHROUGH server shares it with an HTTP one', () => {
    const listeners = translateYaml(`---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 9443, name: http, protocol: HTTP }
    hosts: ["*"]
  - port: { number: 9443, name: tls, protocol: TLS }
    hosts: ["db.example.com"]
    tls: { mode: PASSTHROUGH }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: db, namespace: default }
spec:
  hosts: ["db.example.com"]
  gateways: ["istio-system/gw"]
  tls:
  - match: [{ sniHosts: ["db.example.com"] }]
    route: [{ destination: { host: db.default.svc.cluster.local, port: { number: 5432 } } }]
`);
    expect(listeners.filter((l) => l.name === '0.0.0.0_9443')).toHaveLength(1);
  });
});
