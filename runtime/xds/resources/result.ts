/**
 * The outcome of decoding one xDS resource: its domain object, or every problem
 * found, each prefixed with the field path it concerns
 * (`virtual_hosts[2].routes[0].match: ...`).
 */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: string[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(errors: string[]): Result<T> {
  return { ok: false, errors };
}
