/**
 * Config dumps never show private keys: as Envoy does, every `private_key`
 * data source (a gateway credential's key, inline in a DownstreamTlsContext)
 * is replaced by `{ inline_string: '[redacted]' }`. Other fields are copied
 * as they are; objects without keys are returned unchanged (no copy).
 */
export const REDACTED = '[redacted]';

export function redactPrivateKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v: unknown) => {
      const r = redactPrivateKeys(v);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : value) as T;
  }
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const r = k === 'private_key' && typeof v === 'object' && v !== null ? { inline_string: REDACTED } : redactPrivateKeys(v);
    if (r !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return (out ?? value) as T;
}
