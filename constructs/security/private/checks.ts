import { Construct } from 'constructs';

/** The construct path shown in error messages. */
export function pathOf(c: Construct): string {
  return c.node.path;
}

/** Drops keys whose value is `undefined`. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) {
      out[k] = v;
    }
  }
  return out as T;
}

/** Matches an RFC 1123 DNS label (namespace names). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A resource name from the construct id: lower-cased, other characters turned into '-'. */
export function defaultName(c: Construct): string {
  return c.node.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'default';
}
