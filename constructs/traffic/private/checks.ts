/**
 * Small range checks shared by the traffic value classes. Each returns a list of
 * problems worded `field must be <expected> (got <value>)`; the construct that
 * owns the value prefixes its path and location at synth time.
 */

/** An integer in [min, max]. */
export function intInRange(field: string, value: number | undefined, min: number, max: number): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    return [`${field} must be an integer between ${min} and ${max} (got ${value})`];
  }
  return [];
}

/** A number (fractions allowed) in [min, max]. */
export function numberInRange(field: string, value: number | undefined, min: number, max: number): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Number.isFinite(value) || value < min || value > max) {
    return [`${field} must be between ${min} and ${max} (got ${value})`];
  }
  return [];
}

/** An integer >= min. */
export function intAtLeast(field: string, value: number | undefined, min: number): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Number.isInteger(value) || value < min) {
    return [`${field} must be an integer >= ${min} (got ${value})`];
  }
  return [];
}

/** Largest value of a protobuf int32 field. */
export const INT32_MAX = 2147483647;

/** A TCP/UDP port number. */
export function portNumber(field: string, value: number | undefined): string[] {
  return intInRange(field, value, 1, 65535);
}

/** A non-empty string. */
export function nonEmpty(field: string, value: string | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  return value.length === 0 ? [`${field} must not be empty`] : [];
}

/** Prefixes each problem with a location such as `http[0].retries`. */
export function within(location: string, problems: readonly string[]): string[] {
  return problems.map((p) => `${location}.${p}`);
}

/** Drops keys whose value is `undefined`, so rendered specs stay minimal. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) {
      out[k] = v;
    }
  }
  return out as T;
}

/** `{}` becomes `undefined`, for optional nested messages. */
export function undefinedIfEmpty<T extends object>(obj: T): T | undefined {
  return Object.keys(obj).length === 0 ? undefined : obj;
}

/** Matches an RFC 1123 DNS label (Istio's rule for subset and port names). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks that a regex is at least valid for JavaScript (Istio uses RE2; most patterns agree). */
export function regexProblems(field: string, pattern: string): string[] {
  try {
    new RegExp(pattern);
    return [];
  } catch (e) {
    return [`${field} must be a valid regular expression (got ${JSON.stringify(pattern)}: ${(e as Error).message})`];
  }
}
