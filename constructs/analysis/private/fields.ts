/**
 * Defensive readers over manifests of unknown shape. Analysis runs on whatever the
 * user wrote (schema errors are reported separately), so every read tolerates a
 * missing or mistyped field instead of throwing.
 */

/** A plain JSON object, or undefined when `value` is anything else. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The array, or an empty one when `value` is not an array. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The string, or undefined when `value` is not a non-empty string. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The number, or undefined when `value` is not a finite number. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The string values of a `map<string, string>` (labels, matchLabels); other entries are dropped. */
export function asStringMap(value: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value) ?? {})) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Renders a label map as `{app=reviews, version=v1}` for messages. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
  return `{${entries.join(', ')}}`;
}

/** A canonical JSON text of a value (object keys sorted), for comparing matches. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = asRecord(value);
  if (record) {
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** True when every `selector` label is present with the same value in `labels`. */
export function labelsMatch(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The JSON objects of an array (other elements dropped), or none when `value` is not an array. */
export function asRecords(value: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of asArray(value)) {
    const record = asRecord(item);
    if (record) out.push(record);
  }
  return out;
}
