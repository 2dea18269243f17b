/**
 * Transport security in the translation, as Istio configures Envoy:
 * - outbound clusters originate TLS per the DestinationRule's `tls.mode`
 *   (ISTIO_MUTUAL, MUTUAL, SIMPLE, DISABLE) or, without one, auto mTLS: the
 *   workload certificate (SDS `default`) to destinations whose endpoints all
 *   run a sidecar (label `security.istio.io/tlsMode: istio`), verifying the
 *   server against the root (SDS `ROOTCA`) and the SPIFFE IDs of the
 *   destination's service accounts;
 * - inbound filter chains follow PeerAuthentication: STRICT has only a chain
 *   matching `transport_protocol: tls`, PERMISSIVE adds a `raw_buffer` chain
 *   and the `tls_inspector` listener filter, DISABLE keeps the plaintext chain.
 *   The TLS chain's HTTP connection manager appends `x-forwarded-client-cert`.
 * SDS secrets are named by reference only; the proxy resolves `default` and
 * `ROOTCA` from the certificate it obtained itself (as istio-agent serves them
 * to Envoy), so keys never cross the control plane.
 */
import type { ClientTLSSettings } from '../../../constructs/api';
import type { MtlsMode } from '../../security/peer-authentication';
import { compilePeerAuthentication } from '../../security/peer-authentication';
import { policyFromConfig } from '../../security/policy-object';
import type { RegistryService, ServiceEndpoint } from '../../config/service-registry';
import { labelsMatch } from '../../config/host-match';
import { PlainMessage, adsConfigSource } from './envoy';
import type { MeshIndex } from './mesh-index';
import type { ProxyIdentity } from './proxy-identity';

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
export const UPSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const DOWNSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';
export const TLS_INSPECTOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
/** Istio's SDS names. */
export const SDS_DEFAULT = 'default';
export const SDS_ROOTCA = 'ROOTCA';
/** The endpoint label Istio's injector sets on workloads with a sidecar. */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/** ALPN the client offers to a sidecar: Istio's markers, then the application protocol. */
export function meshAlpn(protocol: string): string[] {
  const app = ['HTTP2', 'GRPC', 'GRPC-WEB'].includes(protocol) ? ['h2'] : protocol === 'HTTP' ? ['http/1.1'] : [];
  return ['istio-peer-exchange', 'istio', ...app];
}

function sdsRef(name: string): PlainMessage {
  return { name, sds_config: adsConfigSource() };
}

function transportSocket(type: string, body: PlainMessage): PlainMessage {
  return { name: TLS_TRANSPORT_SOCKET, typed_config: { '@type': type, ...body } };
}

/** UpstreamTlsContext with the workload certificate, verifying the server's SPIFFE ID against `spiffeIds`. */
export function istioMutualSocket(sni: string, spiffeIds: readonly string[], alpn: readonly string[]): PlainMessage {
  return transportSocket(UPSTREAM_TLS_CONTEXT, {
    common_tls_context: {
      alpn_protocols: [...alpn],
      tls_certificate_sds_secret_configs: [sdsRef(SDS_DEFAULT)],
      combined_validation_context: {
        default_validation_context: {
          match_typed_subject_alt_names: spiffeIds.map((id) => ({ san_type: 'URI', matcher: { exact: id } })),
        },
        validation_context_sds_secret_config: sdsRef(SDS_ROOTCA),
      },
    },
    sni,
  });
}

/** DestinationRule SIMPLE / MUTUAL: the user's certificates, by `credentialName` over SDS. */
export function userTlsSocket(tls: ClientTLSSettings, host: string): PlainMessage {
  const common: PlainMessage = {};
  if (tls.mode === 'MUTUAL' && tls.credentialName !== undefined) {
    common.tls_certificate_sds_secret_configs = [sdsRef(`kubernetes://${tls.credentialName}`)];
  }
  if (!tls.insecureSkipVerify && tls.credentialName !== undefined) {
    common.combined_validation_context = {
      default_validation_context: {
        match_typed_subject_alt_names: (tls.subjectAltNames ?? []).map((s) => ({ san_type: s.includes('://') ? 'URI' : 'DNS', matcher: { exact: s } })),
      },
      validation_context_sds_secret_config: sdsRef(`kubernetes://${tls.credentialName}-cacert`),
    };
  }
  return transportSocket(UPSTREAM_TLS_CONTEXT, { common_tls_context: common, sni: tls.sni ?? host });
}

/** Whether every endpoint (of a subset, when given) runs a sidecar; false without endpoints. */
export function allEndpointsHaveSidecar(endpoints: readonly ServiceEndpoint[], subsetLabels?: Readonly<Record<string, string>>): boolean {
  const chosen = subsetLabels ? endpoints.filter((e) => labelsMatch(subsetLabels, e.labels)) : endpoints;
  return chosen.length > 0 && chosen.every((e) => e.labels[TLS_MODE_LABEL] === 'istio');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The service account of one endpoint: WorkloadEntry `serviceAccount`, Pod (or its Deployment's template) `serviceAccountName`, else `default`. */
export function endpointServiceAccount(index: MeshIndex, endpoint: ServiceEndpoint): string {
  const m = /^(\S+) ([^/]+)\/(.+)$/.exec(endpoint.workload ?? '');
  if (m) {
    const [, kind, ns, name] = m as unknown as [string, string, string, string];
    const snapshot = index.snapshot;
    if (kind === 'WorkloadEntry') {
      const we = snapshot.istio('WorkloadEntry', ns).find((w) => w.name === name);
      return we?.spec.serviceAccount ?? 'default';
    }
    if (kind === 'Pod') {
      const pod = snapshot.get('Pod', ns, name);
      const fromPod = str(rec(pod?.spec).serviceAccountName);
      if (fromPod) return fromPod;
      for (const k of ['Deployment', 'StatefulSet', 'DaemonSet']) {
        const owner = snapshot.list(k, ns).filter((d) => name.startsWith(`${d.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
        if (owner) return str(rec(rec(rec(owner.spec).template).spec).serviceAccountName) ?? 'default';
      }
    }
  }
  return 'default';
}

/** SPIFFE IDs a client accepts from a service's (subset's) endpoints, sorted. */
export function serviceSpiffeIds(index: MeshIndex, service: RegistryService, trustDomain: string, subsetLabels?: Readonly<Record<string, string>>): string[] {
  const endpoints = subsetLabels ? service.endpoints.filter((e) => labelsMatch(subsetLabels, e.labels)) : service.endpoints;
  const accounts = new Set<string>();
  for (const e of endpoints) {
    const ns = /^\S+ ([^/]+)\//.exec(e.workload ?? '')?.[1] ?? service.namespace;
    accounts.add(`spiffe://${trustDomain}/ns/${ns}/sa/${endpointServiceAccount(index, e)}`);
  }
  return [...accounts].sort();
}

/** What an outbound cluster needs to decide its transport socket. */
export interface OriginationInput {
  readonly name: string;
  readonly service: RegistryService;
  readonly port: { readonly port: number; readonly protocol: string };
  readonly subset?: string;
  readonly subsetLabels?: Readonly<Record<string, string>>;
  readonly tls?: ClientTLSSettings;
}

/** Istio's SNI of an outbound cluster: `outbound_.PORT_.SUBSET_.HOST`. */
export function outboundSni(port: number, subset: string | undefined, host: string): string {
  return `outbound_.${port}_.${subset ?? ''}_.${host}`;
}

/** The transport socket of an outbound cluster, or undefined for plaintext. */
export function originationSocket(index: MeshIndex, plan: OriginationInput, trustDomain: string | undefined): PlainMessage | undefined {
  const mode = plan.tls?.mode;
  if (mode === 'DISABLE') return undefined;
  if (mode === 'SIMPLE' || mode === 'MUTUAL') return userTlsSocket(plan.tls as ClientTLSSettings, plan.service.hostname);
  if (trustDomain === undefined) return undefined;
  const sni = outboundSni(plan.port.port, plan.subset, plan.service.hostname);
  const explicit = mode === 'ISTIO_MUTUAL';
  if (!explicit && (plan.service.location !== 'MESH_INTERNAL' || !allEndpointsHaveSidecar(plan.service.endpoints, plan.subsetLabels))) return undefined;
  const ids = plan.tls?.subjectAltNames && plan.tls.subjectAltNames.length > 0
    ? [...plan.tls.subjectAltNames]
    : serviceSpiffeIds(index, plan.service, trustDomain, plan.subsetLabels);
  return istioMutualSocket(sni, ids, meshAlpn(plan.port.protocol));
}

/** The effective PeerAuthentication of the proxy's workload for `port`. */
export function inboundMtlsMode(index: MeshIndex, proxy: ProxyIdentity, port: number): MtlsMode {
  const policies = index.snapshot.istio('PeerAuthentication').map(policyFromConfig);
  return compilePeerAuthentication(policies, { namespace: proxy.namespace, labels: proxy.labels }, { rootNamespace: index.rootNamespace }).forPort(port).mode;
}

/** DownstreamTlsContext: the workload certificate, client certificates required and verified against the root. */
export function inboundTlsSocket(http: boolean): PlainMessage {
  return transportSocket(DOWNSTREAM_TLS_CONTEXT, {
    common_tls_context: {
      alpn_protocols: http ? ['h2', 'http/1.1'] : ['istio-peer-exchange', 'h2', 'http/1.1'],
      tls_certificate_sds_secret_configs: [sdsRef(SDS_DEFAULT)],
      combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: sdsRef(SDS_ROOTCA) },
    },
    require_client_certificate: true,
  });
}

function withClientCertDetails(filter: PlainMessage): PlainMessage {
  const typedConfig = filter.typed_config as PlainMessage | undefined;
  if (!typedConfig || filter.name !== 'envoy.filters.network.http_connection_manager') return filter;
  return {
    ...filter,
    typed_config: { ...typedConfig, forward_client_cert_details: 'APPEND_FORWARD', set_current_client_cert_details: { subject: true, dns: true, uri: true } },
  };
}

/**
 * The inbound filter chains of one port under `mode`, from its plaintext chain
 * (`filters`, optional `filter_chain_match` and `name`), and whether the
 * listener needs the `tls_inspector`.
 */
export function inboundChains(chain: PlainMessage, mode: MtlsMode, http: boolean): { chains: PlainMessage[]; tlsInspector: boolean } {
  if (mode === 'DISABLE') return { chains: [chain], tlsInspector: false };
  const match = (chain.filter_chain_match as PlainMessage | undefined) ?? {};
  const filters = (chain.filters as PlainMessage[]).map(withClientCertDetails);
  const tls: PlainMessage = { ...chain, filter_chain_match: { ...match, transport_protocol: 'tls' }, filters, transport_socket: inboundTlsSocket(http) };
  if (mode === 'STRICT') return { chains: [tls], tlsInspector: true };
  return { chains: [tls, { ...chain, filter_chain_match: { ...match, transport_protocol: 'raw_buffer' } }], tlsInspector: true };
}

/** The `tls_inspector` listener filter. */
export function tlsInspector(): PlainMessage {
  return { name: TLS_INSPECTOR, typed_config: { '@type': TLS_INSPECTOR_TYPE } };
}
