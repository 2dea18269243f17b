/**
 * Istio's string matching for policy values: `*` (present, non-empty),
 * `prefix*`, `*suffix`, or exact.
 */

/** A compiled value matcher. */
export type ValueMatcher = (value: string | undefined) => boolean;

/** Compiles one policy value; `ignoreCase` for hosts. */
export function valueMatcher(pattern: string, ignoreCase = false): ValueMatcher {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const norm = ignoreCase ? (v: string): string => v.toLowerCase() : (v: string): string => v;
  if (p === '*') return (v) => v !== undefined && v !== '';
  if (p.endsWith('*')) {
    const prefix = p.slice(0, -1);
    return (v) => v !== undefined && norm(v).startsWith(prefix);
  }
  if (p.startsWith('*')) {
    const suffix = p.slice(1);
    return (v) => v !== undefined && norm(v).endsWith(suffix);
  }
  return (v) => v !== undefined && norm(v) === p;
}

/** Any of the patterns matches the value. */
export function anyValueMatcher(patterns: readonly string[], ignoreCase = false): ValueMatcher {
  const ms = patterns.map((p) => valueMatcher(p, ignoreCase));
  return (v) => ms.some((m) => m(v));
}
