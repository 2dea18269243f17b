/**
 * Durations for certificate lifetimes: milliseconds, or a string of Go/Istio
 * form (`24h`, `90m`, `1h30m`, `45s`, `500ms`), as Istio's
 * `DEFAULT_WORKLOAD_CERT_TTL` and `MAX_WORKLOAD_CERT_TTL` are written.
 */

/** A lifetime: milliseconds, or `24h` / `1h30m` / `45s` / `500ms`. */
export type Lifetime = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a lifetime; throws `<field>: expected ...` on anything else. */
export function lifetimeMs(value: Lifetime, field = 'ttl'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${field}: expected a positive number of milliseconds (got ${value})`);
    return value;
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed = re.lastIndex;
  }
  if (value.length === 0 || consumed !== value.length || total <= 0) {
    throw new Error(`${field}: expected a positive duration such as '24h', '90m', '1h30m' or '500ms' (got '${value}')`);
  }
  return total;
}
