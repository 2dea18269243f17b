/**
 * `core.v3.TransportSocket` of clusters and filter chains: plain TCP, or TLS
 * (upstream/downstream contexts) whose certificates come over SDS by name.
 * Read: ALPN, the SDS names of the certificate and the validation context,
 * the SNI, and the subject alternative names the peer must present
 * (`combined_validation_context.default_validation_context.match_typed_subject_alt_names`).
 */
import type { Message } from './private/reader';
import { readAny } from './private/reader';
import { decodeDataSource } from './data-source';
import { StringMatcher, decodeStringMatcher } from './string-matcher';

export const UPSTREAM_TLS_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const DOWNSTREAM_TLS_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const RAW_BUFFER_SUFFIX = '.raw_buffer.v3.RawBuffer';

/** The TLS settings shared by both directions. */
export interface TlsContext {
  readonly alpnProtocols: readonly string[];
  /** SDS secret names of the certificate(s) to present. */
  readonly certificateSecrets: readonly string[];
  /** SDS secret name of the validation context (trusted CA). */
  readonly validationSecret?: string;
  /** The peer certificate must carry a SAN matching one of these (none: any SAN). */
  readonly matchSubjectAltNames: readonly { readonly type: 'DNS' | 'URI' | 'EMAIL' | 'IP_ADDRESS'; readonly matcher: StringMatcher }[];
  /** Certificates given inline (`tls_certificates`, PEM): a gateway's credentialName. @default none */
  readonly inlineCertificates?: readonly { readonly certificateChainPem: string; readonly privateKeyPem: string }[];
  /** Trusted CA given inline (`validation_context.trusted_ca`, PEM). @default none */
  readonly inlineTrustedCaPem?: string;
}

function inlinePem(m: Message | undefined, field: string): string | undefined {
  const source = m?.message(field, { required: true });
  const d = source ? decodeDataSource(source, { allowFile: false }) : undefined;
  return d?.kind === 'inline' ? d.value.toString('utf8') : undefined;
}

export type TransportSocket =
  | { readonly kind: 'rawBuffer' }
  | ({ readonly kind: 'upstreamTls'; readonly sni?: string } & TlsContext)
  | ({ readonly kind: 'downstreamTls'; readonly requireClientCertificate: boolean } & TlsContext);

/** `allowInline`: downstream contexts (gateway credentials) may carry PEMs inline; clusters take SDS only. */
function commonTls(m: Message | undefined, allowInline: boolean): TlsContext {
  if (!m) return { alpnProtocols: [], certificateSecrets: [], matchSubjectAltNames: [] };
  m.unsupported(allowInline ? ['tls_certificate_provider_instance'] : ['tls_certificates', 'validation_context', 'tls_certificate_provider_instance'], 'is not supported (deliver certificates over SDS)');
  const inlineCertificates = !allowInline ? [] : m.messages('tls_certificates').flatMap((c) => {
    const certificateChainPem = inlinePem(c, 'certificate_chain');
    const privateKeyPem = inlinePem(c, 'private_key');
    return certificateChainPem !== undefined && privateKeyPem !== undefined ? [{ certificateChainPem, privateKeyPem }] : [];
  });
  const inlineTrustedCaPem = allowInline ? inlinePem(m.message('validation_context'), 'trusted_ca') : undefined;
  const certificateSecrets = m.messages('tls_certificate_sds_secret_configs').map((s) => s.string('name', { required: true })).filter((n): n is string => n !== undefined);
  const v = m.message('validation_context_sds_secret_config');
  const combined = m.message('combined_validation_context');
  const validationSecret = v?.string('name', { required: true }) ?? combined?.message('validation_context_sds_secret_config', { required: true })?.string('name', { required: true });
  const defaults = combined?.message('default_validation_context');
  const matchSubjectAltNames = (defaults?.messages('match_typed_subject_alt_names') ?? []).flatMap((san) => {
    const type = san.enumOf('san_type', ['DNS', 'URI', 'EMAIL', 'IP_ADDRESS'] as const, 'DNS', ['SAN_TYPE_UNSPECIFIED', 'EMAIL', 'DNS', 'URI', 'IP_ADDRESS', 'OTHER_NAME']);
    const sm = san.message('matcher', { required: true });
    const matcher = sm ? decodeStringMatcher(sm) : undefined;
    return matcher ? [{ type, matcher }] : [];
  });
  return {
    alpnProtocols: m.strings('alpn_protocols', { nonEmpty: true }),
    certificateSecrets,
    matchSubjectAltNames,
    ...(validationSecret !== undefined ? { validationSecret } : {}),
    ...(inlineCertificates.length > 0 ? { inlineCertificates } : {}),
    ...(inlineTrustedCaPem !== undefined ? { inlineTrustedCaPem } : {}),
  };
}

/** Reads a TransportSocket. */
export function decodeTransportSocket(m: Message): TransportSocket | undefined {
  m.string('name', { required: true });
  const config = m.message('typed_config', { required: true });
  const typed = config ? readAny(config) : undefined;
  if (!typed) return undefined;
  if (typed.typeUrl.endsWith(RAW_BUFFER_SUFFIX)) return { kind: 'rawBuffer' };
  if (typed.typeUrl === UPSTREAM_TLS_TYPE_URL && typed.body) {
    const sni = typed.body.string('sni');
    return { kind: 'upstreamTls', ...(sni ? { sni } : {}), ...commonTls(typed.body.message('common_tls_context'), false) };
  }
  if (typed.typeUrl === DOWNSTREAM_TLS_TYPE_URL && typed.body) {
    return {
      kind: 'downstreamTls',
      requireClientCertificate: typed.body.bool('require_client_certificate', false),
      ...commonTls(typed.body.message('common_tls_context'), true),
    };
  }
  config?.error(undefined, `unsupported transport socket type '${typed.typeUrl}'`);
  return undefined;
}
