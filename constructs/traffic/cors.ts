import { Duration } from 'cdk8s';
import type { CorsPolicy } from '../api/virtual-service';
import { compact } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';
import { StringMatch } from './string-match';

/** A CORS policy: which origins may call, with which methods and headers. */
export interface CorsOptions {
  /** Allowed origins; a plain string is an exact match (`'https://example.com'`), `'*'` allows any. */
  readonly origins: readonly (string | StringMatch)[];
  /**
   * Allowed methods.
   * @default - none listed (the browser's simple methods only)
   */
  readonly methods?: readonly string[];
  /**
   * Allowed request headers.
   * @default - none listed
   */
  readonly headers?: readonly string[];
  /**
   * Response headers the browser may read.
   * @default - none listed
   */
  readonly exposeHeaders?: readonly string[];
  /**
   * How long the preflight answer may be cached.
   * @default - not sent
   */
  readonly maxAge?: Duration;
  /**
   * Whether credentials may be sent.
   * @default - not sent (false)
   */
  readonly allowCredentials?: boolean;
}

const METHOD = /^[A-Z]+$/;

/** A route's Cross-Origin Resource Sharing policy (Istio's `CorsPolicy`). */
export abstract class Cors {
  /** Allows the given origins. */
  public static allow(options: CorsOptions): Cors {
    return new CorsImpl(options);
  }

  /** @internal Istio's `CorsPolicy`. */
  public abstract _render(): CorsPolicy;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class CorsImpl extends Cors {
  constructor(private readonly options: CorsOptions) {
    super();
  }

  public _render(): CorsPolicy {
    const o = this.options;
    return compact({
      allowOrigins: o.origins.map((x) => StringMatch.of(x)._render()),
      allowMethods: o.methods ? [...o.methods] : undefined,
      allowHeaders: o.headers ? [...o.headers] : undefined,
      exposeHeaders: o.exposeHeaders ? [...o.exposeHeaders] : undefined,
      maxAge: o.maxAge ? istioDuration(o.maxAge) : undefined,
      allowCredentials: o.allowCredentials,
    }) as CorsPolicy;
  }

  public _validate(): string[] {
    const o = this.options;
    const problems: string[] = [];
    if (o.origins.length === 0) {
      problems.push('corsPolicy.allowOrigins must list at least one origin (got none)');
    }
    o.origins.forEach((x, i) => problems.push(...StringMatch.of(x)._validate(`corsPolicy.allowOrigins[${i}]`)));
    for (const m of o.methods ?? []) {
      if (!METHOD.test(m)) {
        problems.push(`corsPolicy.allowMethods must hold upper-case HTTP methods (got ${JSON.stringify(m)})`);
      }
    }
    problems.push(...durationProblems('corsPolicy.maxAge', o.maxAge));
    return problems;
  }
}
