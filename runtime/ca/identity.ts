/**
 * Workload identities as SPIFFE IDs, in Istio's form:
 * `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`.
 * AuthorizationPolicy principals are the same ID without the scheme
 * (`cluster.local/ns/default/sa/productpage`).
 */
import { Result, fail, ok } from '../xds/resources/result';

/** Who a workload is: its trust domain, namespace and service account. */
export interface WorkloadIdentity {
  /** Trust domain, e.g. `cluster.local`. */
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Istio's default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

const SCHEME = 'spiffe://';
// Trust domain: lowercase letters, digits, dots, dashes and underscores (SPIFFE ID spec).
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
// Path segments: the SPIFFE ID spec's character set, also a valid Kubernetes name in practice.
const SEGMENT = /^[A-Za-z0-9._-]+$/;

function checkParts(identity: WorkloadIdentity): string[] {
  const errors: string[] = [];
  if (!TRUST_DOMAIN.test(identity.trustDomain) || identity.trustDomain.length > 255) {
    errors.push(`trustDomain: expected lowercase letters, digits, '.', '-' or '_' (got '${identity.trustDomain}')`);
  }
  for (const [field, value] of [['namespace', identity.namespace], ['serviceAccount', identity.serviceAccount]] as const) {
    if (!SEGMENT.test(value) || value === '.' || value === '..') {
      errors.push(`${field}: expected a non-empty path segment of letters, digits, '.', '-' or '_' (got '${value}')`);
    }
  }
  return errors;
}

/** Checks an identity's parts; the errors name the field, what is expected and the value received. */
export function validateIdentity(identity: WorkloadIdentity): Result<WorkloadIdentity> {
  const errors = checkParts(identity);
  return errors.length === 0 ? ok(identity) : fail(errors);
}

/** The SPIFFE ID of an identity; throws on an invalid identity. */
export function spiffeId(identity: WorkloadIdentity): string {
  const errors = checkParts(identity);
  if (errors.length > 0) throw new Error(`invalid workload identity: ${errors.join('; ')}`);
  return `${SCHEME}${identity.trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`;
}

/** The principal AuthorizationPolicy matches: the SPIFFE ID without `spiffe://`. */
export function principalOf(identity: WorkloadIdentity): string {
  return spiffeId(identity).slice(SCHEME.length);
}

/** Parses `spiffe://<td>/ns/<ns>/sa/<sa>` (exactly that shape). */
export function parseSpiffeId(uri: string): Result<WorkloadIdentity> {
  if (!uri.startsWith(SCHEME)) return fail([`spiffe id: expected 'spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>' (got '${uri}')`]);
  const parts = uri.slice(SCHEME.length).split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa') {
    return fail([`spiffe id: expected 'spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>' (got '${uri}')`]);
  }
  const identity: WorkloadIdentity = { trustDomain: parts[0], namespace: parts[2], serviceAccount: parts[4] };
  const errors = checkParts(identity);
  return errors.length === 0 ? ok(identity) : fail(errors.map((e) => `spiffe id '${uri}': ${e}`));
}

/** Parses a principal (`<td>/ns/<ns>/sa/<sa>`, as in AuthorizationPolicy). */
export function parsePrincipal(principal: string): Result<WorkloadIdentity> {
  return parseSpiffeId(`${SCHEME}${principal}`);
}

/** Whether two identities are the same. */
export function sameIdentity(a: WorkloadIdentity, b: WorkloadIdentity): boolean {
  return a.trustDomain === b.trustDomain && a.namespace === b.namespace && a.serviceAccount === b.serviceAccount;
}
