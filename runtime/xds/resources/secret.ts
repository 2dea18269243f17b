/**
 * SDS: `envoy.extensions.transport_sockets.tls.v3.Secret` → {@link Secret}: a
 * certificate with its key, or a validation context (trusted CA and accepted
 * subject alternative names). Minimal, for TLS later.
 */
import { DataSource, decodeDataSource } from './data-source';
import { Issues, Message } from './private/reader';
import { Result, fail, ok } from './result';
import { StringMatcher, decodeStringMatcher } from './string-matcher';

export interface SubjectAltNameMatcher {
  readonly type: 'DNS' | 'URI' | 'EMAIL' | 'IP_ADDRESS';
  readonly matcher: StringMatcher;
}

export type Secret =
  | { readonly name: string; readonly kind: 'tlsCertificate'; readonly certificateChain: DataSource; readonly privateKey: DataSource }
  | {
    readonly name: string;
    readonly kind: 'validationContext';
    readonly trustedCa?: DataSource;
    readonly matchSubjectAltNames: readonly SubjectAltNameMatcher[];
  };

function decodeSan(m: Message): SubjectAltNameMatcher | undefined {
  const type = m.enumOf('san_type', ['DNS', 'URI', 'EMAIL', 'IP_ADDRESS'] as const, 'DNS', ['SAN_TYPE_UNSPECIFIED', 'EMAIL', 'DNS', 'URI', 'IP_ADDRESS', 'OTHER_NAME']);
  if (!m.has('san_type')) m.error('san_type', 'is required');
  const s = m.message('matcher', { required: true });
  const matcher = s ? decodeStringMatcher(s) : undefined;
  return matcher ? { type, matcher } : undefined;
}

/** Decodes and validates a `Secret`. */
export function decodeSecret(plain: unknown): Result<Secret> {
  const issues = new Issues();
  const m = Message.root(plain, issues);
  if (!m) return fail(issues.list);
  const name = m.string('name', { required: true }) ?? '';
  const which = m.oneof(['tls_certificate', 'validation_context', 'session_ticket_keys', 'generic_secret'] as const, { required: true });
  const body = which ? m.message(which) : undefined;
  let value: Secret | undefined;
  if (which === 'tls_certificate' && body) {
    body.unsupported(['password', 'ocsp_staple', 'signed_certificate_timestamp', 'private_key_provider', 'pkcs12', 'watched_directory']);
    const chain = body.message('certificate_chain', { required: true });
    const key = body.message('private_key', { required: true });
    const certificateChain = chain ? decodeDataSource(chain) : undefined;
    const privateKey = key ? decodeDataSource(key) : undefined;
    if (certificateChain && privateKey) value = { name, kind: 'tlsCertificate', certificateChain, privateKey };
  } else if (which === 'validation_context' && body) {
    body.unsupported(['crl', 'verify_certificate_spki', 'verify_certificate_hash', 'custom_validator_config', 'watched_directory', 'ca_certificate_provider_instance']);
    const ca = body.message('trusted_ca');
    const trustedCa = ca ? decodeDataSource(ca) : undefined;
    const matchSubjectAltNames = body.messages('match_typed_subject_alt_names').map(decodeSan).filter((s): s is SubjectAltNameMatcher => s !== undefined);
    value = { name, kind: 'validationContext', ...(trustedCa ? { trustedCa } : {}), matchSubjectAltNames };
  } else if (which) {
    m.error(which, 'is not supported');
  }
  return issues.empty && value ? ok(value) : fail(issues.list);
}
