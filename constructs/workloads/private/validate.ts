/**
 * Synth-time checks shared by the workload, gateway and control-plane constructs.
 * Every error names the construct path, the field, what is allowed and what was received.
 */

/** Throws `<path>: <field> must be <expected> (got <got>)`. */
export function fail(path: string, field: string, expected: string, got: unknown): never {
  throw new Error(`${path}: ${field} must be ${expected} (got ${show(got)})`);
}

/** Renders a received value for an error message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** Integer in [min, max] (inclusive). */
export function checkIntRange(path: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(path, field, `an integer from ${min} to ${max}`, value);
  }
}

/** Integer >= min. */
export function checkIntAtLeast(path: string, field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    fail(path, field, `an integer >= ${min}`, value);
  }
}

/** TCP/UDP port number, 1..65535. */
export function checkPort(path: string, field: string, value: number): void {
  checkIntRange(path, field, value, 1, 65535);
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** RFC 1035 label (Service names, namespaces): lower case, starts with a letter, at most 63 characters. */
export function checkDnsLabel(path: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value)) {
    fail(path, field, 'a DNS label (lower-case letters, digits and "-", starting with a letter, at most 63 characters)', value);
  }
}

/** RFC 1123 subdomain (trust domains, object names with dots), at most 253 characters. */
export function checkDnsSubdomain(path: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    fail(path, field, 'a DNS subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)', value);
  }
}

/** Kubernetes label value: at most 63 characters, alphanumerics with "-", "_" and "." inside. */
export function checkLabelValue(path: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !LABEL_VALUE.test(value)) {
    fail(path, field, 'a non-empty label value (at most 63 characters: letters, digits, "-", "_", ".", alphanumeric at both ends)', value);
  }
}
