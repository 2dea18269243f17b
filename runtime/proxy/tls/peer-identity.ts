/**
 * What a TLS peer proved: its SPIFFE ID (the certificate's URI SAN) and the
 * `x-forwarded-client-cert` element Envoy's `set_current_client_cert_details`
 * with `uri`, `subject` and `dns` would add: `By=<own SPIFFE ID>;Hash=<SHA-256
 * of the peer certificate, hex>;Subject="<subject>";URI=<peer SPIFFE ID>`.
 */
import * as crypto from 'crypto';
import type * as tls from 'tls';

/** The URI SANs of a certificate (`subjectaltname` as Node formats it). */
export function uriSans(cert: { readonly subjectaltname?: string } | undefined): string[] {
  const text = cert?.subjectaltname ?? '';
  return text.split(/,\s*/).filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
}

/** The DNS SANs of a certificate. */
export function dnsSans(cert: { readonly subjectaltname?: string } | undefined): string[] {
  const text = cert?.subjectaltname ?? '';
  return text.split(/,\s*/).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
}

function subjectText(subject: tls.PeerCertificate['subject'] | undefined): string {
  if (!subject) return '';
  return Object.entries(subject).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join(',');
}

/** The `x-forwarded-client-cert` element for a verified peer, or '' when it presented no certificate. */
export function forwardedClientCert(socket: tls.TLSSocket, ownSpiffeId: string): string {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw) return '';
  const hash = crypto.createHash('sha256').update(cert.raw).digest('hex');
  const parts = [`By=${ownSpiffeId}`, `Hash=${hash}`, `Subject="${subjectText(cert.subject).replace(/"/g, '\\"')}"`];
  for (const uri of uriSans(cert)) parts.push(`URI=${uri}`);
  for (const dns of dnsSans(cert)) parts.push(`DNS=${dns}`);
  return parts.join(';');
}
