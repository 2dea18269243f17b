import type { HTTPRewrite } from '../api/virtual-service';
import { compact, nonEmpty, regexProblems } from './private/checks';

/**
 * Rewrites the request before forwarding it (Istio's `HTTPRewrite`). With a prefix
 * route match, `Rewrite.uri('/v2')` replaces the matched prefix only, as in Istio.
 */
export abstract class Rewrite {
  /** Replaces the path (or the matched prefix) with `uri`. */
  public static uri(uri: string): Rewrite {
    return new RewriteImpl({ uri });
  }

  /** Same as `uri`: replaces the matched prefix with `prefix`. */
  public static prefix(prefix: string): Rewrite {
    return new RewriteImpl({ uri: prefix });
  }

  /** Rewrites the path with an RE2 regex and a substitution (`\1` for groups). Istio 1.18+. */
  public static regex(match: string, rewrite: string): Rewrite {
    return new RewriteImpl({ uriRegexRewrite: { match, rewrite } });
  }

  /** Replaces the authority (`Host` header). */
  public static authority(authority: string): Rewrite {
    return new RewriteImpl({ authority });
  }

  /** This rewrite plus an authority rewrite. */
  public withAuthority(authority: string): Rewrite {
    return new RewriteImpl({ ...(this as unknown as RewriteImpl).spec, authority });
  }

  /** @internal Istio's `HTTPRewrite`. */
  public abstract _render(): HTTPRewrite;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

interface RewriteSpec {
  readonly uri?: string;
  readonly authority?: string;
  readonly uriRegexRewrite?: { readonly match: string; readonly rewrite: string };
}

class RewriteImpl extends Rewrite {
  constructor(public readonly spec: RewriteSpec) {
    super();
  }

  public _render(): HTTPRewrite {
    return compact({
      uri: this.spec.uri,
      authority: this.spec.authority,
      uriRegexRewrite: this.spec.uriRegexRewrite ? { ...this.spec.uriRegexRewrite } : undefined,
    }) as HTTPRewrite;
  }

  public _validate(): string[] {
    const problems = [...nonEmpty('rewrite.uri', this.spec.uri), ...nonEmpty('rewrite.authority', this.spec.authority)];
    if (this.spec.uriRegexRewrite) {
      problems.push(...regexProblems('rewrite.uriRegexRewrite.match', this.spec.uriRegexRewrite.match));
      if (this.spec.uri !== undefined) {
        problems.push('rewrite must have either uri or uriRegexRewrite (got both)');
      }
    }
    return problems;
  }
}
