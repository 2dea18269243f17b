/** `type.matcher.v3.StringMatcher` and regex matchers, compiled once at decode time. */
import type { Message } from './private/reader';
import { compileRe2 } from './private/regex';

/** How a string is matched. Regexes are anchored: they must match the whole input, as in Envoy. */
export type StringMatcher =
  | { readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'regex'; readonly regex: RegExp };

/** Reads a `type.matcher.v3.RegexMatcher` (`{ regex }`) into an anchored RegExp. */
export function decodeRegexMatcher(m: Message, mode: 'anchored' | 'global' = 'anchored'): RegExp | undefined {
  const pattern = m.string('regex', { required: true });
  if (pattern === undefined) return undefined;
  const compiled = compileRe2(pattern, mode);
  if (!compiled.ok) {
    m.error('regex', compiled.error);
    return undefined;
  }
  return compiled.regex;
}

const KINDS = ['exact', 'prefix', 'suffix', 'contains', 'safe_regex'] as const;

/** Reads a `type.matcher.v3.StringMatcher`. */
export function decodeStringMatcher(m: Message): StringMatcher | undefined {
  m.unsupported(['custom'], 'custom matchers are not supported');
  const kind = m.oneof(KINDS, { required: true });
  if (kind === undefined) return undefined;
  const ignoreCase = m.bool('ignore_case', false);
  if (kind === 'safe_regex') {
    if (ignoreCase) m.error('ignore_case', 'has no effect on safe_regex (use (?i) in the pattern)');
    const inner = m.message('safe_regex');
    const regex = inner ? decodeRegexMatcher(inner) : undefined;
    return regex ? { kind: 'regex', regex } : undefined;
  }
  const value = m.string(kind) ?? '';
  if (value === '' && kind !== 'exact') {
    m.error(kind, 'must not be empty');
    return undefined;
  }
  return { kind, value, ignoreCase };
}

/** Whether `input` matches. */
export function matchString(matcher: StringMatcher, input: string): boolean {
  if (matcher.kind === 'regex') return matcher.regex.test(input);
  const text = matcher.ignoreCase ? input.toLowerCase() : input;
  const value = matcher.ignoreCase ? matcher.value.toLowerCase() : matcher.value;
  switch (matcher.kind) {
    case 'exact':
      return text === value;
    case 'prefix':
      return text.startsWith(value);
    case 'suffix':
      return text.endsWith(value);
    case 'contains':
      return text.includes(value);
  }
}
