/**
 * Envoy's `/certs` admin view of the proxy's certificates, and meshform's
 * `/identity` summary of the workload identity. `/certs` is shaped as Envoy's
 * `envoy.admin.v3.Certificates` JSON: one entry per TLS context, its
 * `cert_chain` (leaf first) and `ca_cert` (the trusted roots), each
 * certificate with `path` (`<inline>`: the PEMs came over SDS),
 * `serial_number` (lowercase hex), `subject_alt_names` (`{uri}` / `{dns}` /
 * `{ip_address}`), `days_until_expiration` (a uint64, so a JSON string),
 * `valid_from` and `expiration_time` (RFC 3339, UTC, whole seconds).
 */
import * as crypto from 'crypto';

/** The PEMs of one TLS context the proxy holds, and when it renews them. */
export interface CertificateSet {
  /** Leaf first, then intermediates (PEM, concatenated). */
  readonly certChainPem: string;
  /** Trusted roots (PEM, concatenated). */
  readonly rootCertPem: string;
  /** When the proxy renews this certificate. @default unknown (not rotated by the proxy) */
  readonly nextRotation?: Date;
  /** The workload identity (else a gateway credential). @default true */
  readonly workload?: boolean;
}

/** `envoy.admin.v3.SubjectAlternateName`. */
export type SubjectAlternateName = { readonly uri: string } | { readonly dns: string } | { readonly ip_address: string };

/** `envoy.admin.v3.CertificateDetails`. */
export interface CertificateDetails {
  readonly path: string;
  readonly serial_number: string;
  readonly subject_alt_names: readonly SubjectAlternateName[];
  readonly days_until_expiration: string;
  readonly valid_from: string;
  readonly expiration_time: string;
}

/** `envoy.admin.v3.Certificate`: one TLS context. */
export interface CertificateEntry {
  readonly ca_cert: readonly CertificateDetails[];
  readonly cert_chain: readonly CertificateDetails[];
}

/** `envoy.admin.v3.Certificates`, the `/certs` answer. */
export interface CertsDump {
  readonly certificates: readonly CertificateEntry[];
}

/** meshform's `/identity` answer: what `meshform identity` prints. */
export interface IdentitySummary {
  readonly spiffe_id: string;
  readonly serial_number: string;
  /** The leaf's issuer (distinguished name, one `key=value` per line joined by `, `). */
  readonly issuer: string;
  /** The root's subject. */
  readonly root_subject: string;
  readonly valid_from: string;
  readonly expiration_time: string;
  readonly days_until_expiration: string;
  /** When the proxy renews the certificate; absent when unknown. */
  readonly next_rotation?: string;
}

const DAY_MS = 86_400_000;

/** Splits concatenated PEM certificates. */
export function splitPems(pems: string): string[] {
  return pems.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** RFC 3339 in UTC without fractional seconds, as Envoy prints timestamps here. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sansOf(cert: crypto.X509Certificate): SubjectAlternateName[] {
  const text = cert.subjectAltName ?? '';
  const out: SubjectAlternateName[] = [];
  for (const part of text.split(/,\s*/)) {
    if (part.startsWith('URI:')) out.push({ uri: part.slice(4) });
    else if (part.startsWith('DNS:')) out.push({ dns: part.slice(4) });
    else if (part.startsWith('IP Address:')) out.push({ ip_address: part.slice(11) });
  }
  return out;
}

/** The Envoy details of one PEM certificate, as of `now`. */
export function certificateDetails(pem: string, now: Date = new Date()): CertificateDetails {
  const cert = new crypto.X509Certificate(pem);
  const notAfter = new Date(cert.validTo);
  return {
    path: '<inline>',
    serial_number: cert.serialNumber.toLowerCase(),
    subject_alt_names: sansOf(cert),
    days_until_expiration: String(Math.max(0, Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS))),
    valid_from: rfc3339(new Date(cert.validFrom)),
    expiration_time: rfc3339(notAfter),
  };
}

/** `/certs` of the given TLS contexts (an empty list when the proxy holds none, as Envoy answers). */
export function renderCerts(sets: readonly CertificateSet[], now: Date = new Date()): CertsDump {
  return {
    certificates: sets.map((s) => ({
      ca_cert: splitPems(s.rootCertPem).map((p) => certificateDetails(p, now)),
      cert_chain: splitPems(s.certChainPem).map((p) => certificateDetails(p, now)),
    })),
  };
}

function distinguishedName(text: string): string {
  return text.split('\n').filter((l) => l !== '').join(', ');
}

/** `/identity` of the workload certificate set. */
export function identitySummary(set: CertificateSet, now: Date = new Date()): IdentitySummary {
  const leafPem = splitPems(set.certChainPem)[0];
  const rootPem = splitPems(set.rootCertPem)[0];
  if (leafPem === undefined) throw new Error('workload certificate: empty chain');
  const leaf = new crypto.X509Certificate(leafPem);
  const details = certificateDetails(leafPem, now);
  const uri = details.subject_alt_names.find((s): s is { uri: string } => 'uri' in s);
  return {
    spiffe_id: uri?.uri ?? '',
    serial_number: details.serial_number,
    issuer: distinguishedName(leaf.issuer),
    root_subject: rootPem === undefined ? '' : distinguishedName(new crypto.X509Certificate(rootPem).subject),
    valid_from: details.valid_from,
    expiration_time: details.expiration_time,
    days_until_expiration: details.days_until_expiration,
    ...(set.nextRotation !== undefined ? { next_rotation: rfc3339(set.nextRotation) } : {}),
  };
}
