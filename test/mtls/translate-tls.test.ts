/**
 * Translation with a CA: auto mTLS on outbound clusters (sidecar endpoints
 * only, SPIFFE IDs of their service accounts), DestinationRule tls modes, and
 * PeerAuthentication filter chains; without a CA nothing changes.
 */
import { parseYamlDocuments } from '../../runtime/config/yaml-files';
import { readManifest } from '../../runtime/config/manifest-reader';
import { ConfigSnapshot } from '../../runtime/config/config-snapshot';
import type { ConfigObject } from '../../runtime/config/config-object';
import { proxyIdentity, translate } from '../../runtime/xds/translate';
import { decodeCluster, decodeListener } from '../../runtime/xds/resources';
import { meshYaml, peerAuthenticationYaml } from './harness';

type Plain = Record<string, unknown>;

function snapshot(yaml: string): ConfigSnapshot {
  const objects: ConfigObject[] = [];
  for (const doc of parseYamlDocuments(yaml, 'test.yaml')) {
    const r = readManifest(doc.object as Record<string, unknown>, { source: 'test', file: 'test.yaml', index: doc.index }, 'default');
    if (r.type === 'invalid') throw new Error(r.errors.join('; '));
    if (r.type === 'object') objects.push(r.object);
  }
  return ConfigSnapshot.of(objects);
}

const client = proxyIdentity({ id: 'sidecar~127.0.88.1~client-0.default~default.svc.cluster.local', metadata: { LABELS: { app: 'client' }, INTERCEPTION_MODE: 'NONE' } });
const server = proxyIdentity({ id: 'sidecar~127.0.88.2~reviews-0.default~default.svc.cluster.local', metadata: { LABELS: { app: 'reviews' }, INTERCEPTION_MODE: 'NONE' } });
const MTLS = { mtls: { trustDomain: 'cluster.local' } };
const CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';

function cluster(yaml: string, options = MTLS): Plain {
  return translate(snapshot(yaml), client, options).clusters.find((c) => c.name === CLUSTER) as Plain;
}
function inbound(yaml: string, options = MTLS): Plain {
  return translate(snapshot(yaml), server, options).listeners.find((l) => l.name === '127.0.88.2_9080') as Plain;
}

describe('auto mTLS origination', () => {
  it('originates ISTIO_MUTUAL to sidecar endpoints, verifying their service accounts, and decodes', () => {
    const c = cluster(meshYaml(8080));
    const ts = c.transport_socket as Plain;
    expect(ts.name).toBe('envoy.transport_sockets.tls');
    const ctx = ts.typed_config as Plain;
    expect(ctx.sni).toBe('outbound_.9080_._.reviews.default.svc.cluster.local');
    const common = ctx.common_tls_context as Plain;
    expect(common.alpn_protocols).toEqual(['istio-peer-exchange', 'istio', 'http/1.1']);
    expect(JSON.stringify(common)).toContain('"match_typed_subject_alt_names":[{"san_type":"URI","matcher":{"exact":"spiffe://cluster.local/ns/default/sa/reviews"}}]');
    const decoded = decodeCluster(c);
    expect(decoded.ok && decoded.value.transportSocket).toMatchObject({ kind: 'upstreamTls', certificateSecrets: ['default'], validationSecret: 'ROOTCA' });
  });

  it('stays plaintext without a CA, to endpoints without a sidecar, and with tls.mode DISABLE', () => {
    expect(cluster(meshYaml(8080), {} as typeof MTLS).transport_socket).toBeUndefined();
    expect(cluster(meshYaml(8080).replace(', security.istio.io/tlsMode: istio', '')).transport_socket).toBeUndefined();
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews, trafficPolicy: { tls: { mode: DISABLE } } }
`;
    expect(cluster(meshYaml(8080) + dr).transport_socket).toBeUndefined();
  });

  it('honours ISTIO_MUTUAL without a sidecar label and SIMPLE with an SNI', () => {
    const plain = meshYaml(8080).replace(', security.istio.io/tlsMode: istio', '');
    const dr = (tls: string): string => `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews, trafficPolicy: { tls: ${tls} } }
`;
    expect(cluster(plain + dr('{ mode: ISTIO_MUTUAL }')).transport_socket).toBeDefined();
    const simple = (cluster(plain + dr('{ mode: SIMPLE, sni: api.example.com }')).transport_socket as Plain).typed_config as Plain;
    expect(simple.sni).toBe('api.example.com');
  });
});

describe('PeerAuthentication on inbound listeners', () => {
  it('PERMISSIVE (the default): a tls chain with XFCC and a raw_buffer chain, behind tls_inspector', () => {
    const l = inbound(meshYaml(8080));
    expect((l.listener_filters as Plain[]).map((f) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const chains = l.filter_chains as Plain[];
    expect(chains.map((c) => (c.filter_chain_match as Plain).transport_protocol)).toEqual(['tls', 'raw_buffer']);
    expect(JSON.stringify(chains[0])).toContain('"forward_client_cert_details":"APPEND_FORWARD"');
    expect(chains[1]?.transport_socket).toBeUndefined();
    const decoded = decodeListener(l);
    expect(decoded.ok).toBe(true);
  });

  it('STRICT: only the tls chain; DISABLE and no CA: the plaintext chain alone', () => {
    const strict = inbound(meshYaml(8080) + peerAuthenticationYaml('STRICT'));
    expect((strict.filter_chains as Plain[]).map((c) => (c.filter_chain_match as Plain).transport_protocol)).toEqual(['tls']);
    for (const l of [inbound(meshYaml(8080) + peerAuthenticationYaml('DISABLE')), inbound(meshYaml(8080), {} as typeof MTLS)]) {
      expect(l.listener_filters).toBeUndefined();
      expect((l.filter_chains as Plain[]).length).toBe(1);
      expect((l.filter_chains as Plain[])[0]?.transport_socket).toBeUndefined();
    }
  });
});
