/**
 * Envoy matches with RE2. JavaScript's engine accepts more (lookaround,
 * backreferences) and spells a few things differently (`(?P<name>`, a leading
 * `(?i)`), so patterns are checked for RE2's syntax first, then compiled once.
 */

/** A compiled pattern, or why it is rejected. */
export type CompiledRegex = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly error: string };

/** Constructs RE2 rejects that JavaScript would accept. */
function re2Violation(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `backreferences are not supported by RE2 (\\${next})`;
      if (!inClass && next === 'k' && pattern[i + 2] === '<') return 'backreferences are not supported by RE2 (\\k<...>)';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'lookahead is not supported by RE2';
      if (rest === '<=' || rest === '<!') return 'lookbehind is not supported by RE2';
    }
  }
  return undefined;
}

/**
 * Compiles an RE2 pattern. `anchored` matches the whole input (Envoy's matchers
 * use full matches); otherwise the pattern searches, with `global` for rewrites.
 */
export function compileRe2(pattern: string, mode: 'anchored' | 'global'): CompiledRegex {
  const violation = re2Violation(pattern);
  if (violation) return { ok: false, error: `invalid regex '${pattern}': ${violation}` };
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = mode === 'global' ? 'g' : '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1] as string) if (!flags.includes(f)) flags += f;
  }
  try {
    return { ok: true, regex: new RegExp(mode === 'anchored' ? `^(?:${source})$` : source, flags) };
  } catch (err) {
    return { ok: false, error: `invalid regex '${pattern}': ${(err as Error).message}` };
  }
}

/** RE2 substitutions write groups as `\1`; JavaScript's replace uses `$1` (and `$` must be doubled). */
export function re2Substitution(substitution: string): string {
  return substitution.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}
