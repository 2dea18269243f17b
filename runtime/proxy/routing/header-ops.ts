/**
 * Request and response header mutations of a route, flattened once per route
 * (and weighted cluster) into a short op list. Envoy applies the most specific
 * level first — weighted cluster, route, virtual host, route configuration —
 * each level's removals before its additions.
 */
import type { HeaderOperations, HeaderToAdd } from '../../xds/resources';

export type HeaderOp =
  /** Add a value, keeping existing ones (APPEND_IF_EXISTS_OR_ADD). */
  | { readonly op: 'append'; readonly name: string; readonly value: string }
  /** Replace every value, or add (OVERWRITE_IF_EXISTS_OR_ADD). */
  | { readonly op: 'set'; readonly name: string; readonly value: string }
  /** Add only when absent (ADD_IF_ABSENT). */
  | { readonly op: 'addIfAbsent'; readonly name: string; readonly value: string }
  /** Replace only when present (OVERWRITE_IF_EXISTS). */
  | { readonly op: 'setIfPresent'; readonly name: string; readonly value: string }
  | { readonly op: 'remove'; readonly name: string };

export const NO_HEADER_OPS: readonly HeaderOp[] = Object.freeze([]);

const OPS: Readonly<Record<HeaderToAdd['action'], 'append' | 'set' | 'addIfAbsent' | 'setIfPresent'>> = {
  APPEND_IF_EXISTS_OR_ADD: 'append',
  OVERWRITE_IF_EXISTS_OR_ADD: 'set',
  ADD_IF_ABSENT: 'addIfAbsent',
  OVERWRITE_IF_EXISTS: 'setIfPresent',
};

function additions(list: readonly HeaderToAdd[], out: HeaderOp[]): void {
  for (const h of list) {
    // Envoy skips an empty value unless keep_empty_value is set.
    if (h.value === '' && !h.keepEmptyValue) continue;
    out.push(Object.freeze({ op: OPS[h.action], name: h.name, value: h.value }));
  }
}

/** The request ops of `levels`, most specific first. */
export function requestHeaderOps(levels: readonly (HeaderOperations | undefined)[]): readonly HeaderOp[] {
  const out: HeaderOp[] = [];
  for (const level of levels) {
    if (!level) continue;
    for (const name of level.requestHeadersToRemove) out.push(Object.freeze({ op: 'remove', name }));
    additions(level.requestHeadersToAdd, out);
  }
  return out.length === 0 ? NO_HEADER_OPS : Object.freeze(out);
}

/** The response ops of `levels`, most specific first. */
export function responseHeaderOps(levels: readonly (HeaderOperations | undefined)[]): readonly HeaderOp[] {
  const out: HeaderOp[] = [];
  for (const level of levels) {
    if (!level) continue;
    for (const name of level.responseHeadersToRemove) out.push(Object.freeze({ op: 'remove', name }));
    additions(level.responseHeadersToAdd, out);
  }
  return out.length === 0 ? NO_HEADER_OPS : Object.freeze(out);
}

/**
 * Applies ops to a flat header list (`[name0, value0, ...]`, names in any case)
 * and returns the new list; the input is not changed. For engines and tests.
 */
export function applyHeaderOps(ops: readonly HeaderOp[], headers: readonly string[]): string[] {
  let out = headers.slice();
  for (const o of ops) {
    const present = indexOfName(out, o.name) >= 0;
    switch (o.op) {
      case 'remove':
        out = without(out, o.name);
        break;
      case 'append':
        out.push(o.name, o.value);
        break;
      case 'set':
        out = without(out, o.name);
        out.push(o.name, o.value);
        break;
      case 'addIfAbsent':
        if (!present) out.push(o.name, o.value);
        break;
      case 'setIfPresent':
        if (present) {
          out = without(out, o.name);
          out.push(o.name, o.value);
        }
        break;
    }
  }
  return out;
}

function indexOfName(headers: readonly string[], lowerName: string): number {
  for (let i = 0; i < headers.length; i += 2) if ((headers[i] as string).toLowerCase() === lowerName) return i;
  return -1;
}

function without(headers: string[], lowerName: string): string[] {
  if (indexOfName(headers, lowerName) < 0) return headers;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() !== lowerName) out.push(headers[i] as string, headers[i + 1] as string);
  }
  return out;
}
