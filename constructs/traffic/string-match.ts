import type { StringMatch as StringMatchSpec } from '../api/virtual-service';
import { regexProblems } from './private/checks';

/**
 * How a string (a header value, a query parameter, an origin, ...) is matched:
 * exactly, by prefix, or by an RE2 regular expression.
 */
export abstract class StringMatch {
  /** The value must equal `value`. */
  public static exact(value: string): StringMatch {
    return new StringMatchImpl({ exact: value });
  }

  /** The value must start with `prefix`. */
  public static prefix(prefix: string): StringMatch {
    return new StringMatchImpl({ prefix });
  }

  /** The value must match the RE2 regular expression `pattern` (whole value). */
  public static regex(pattern: string): StringMatch {
    return new StringMatchImpl({ regex: pattern });
  }

  /** Turns a plain string into an exact match; leaves a `StringMatch` as it is. */
  public static of(value: string | StringMatch): StringMatch {
    return typeof value === 'string' ? StringMatch.exact(value) : value;
  }

  /** Which kind of match this is. */
  public abstract readonly kind: 'exact' | 'prefix' | 'regex';

  /** @internal Istio's `StringMatch` message. */
  public abstract _render(): StringMatchSpec;

  /** @internal Problems, each starting with the field name. */
  public abstract _validate(field: string): string[];
}

class StringMatchImpl extends StringMatch {
  public readonly kind: 'exact' | 'prefix' | 'regex';

  constructor(private readonly spec: { exact: string } | { prefix: string } | { regex: string }) {
    super();
    this.kind = 'exact' in spec ? 'exact' : 'prefix' in spec ? 'prefix' : 'regex';
  }

  public _render(): StringMatchSpec {
    return { ...this.spec } as StringMatchSpec;
  }

  public _validate(field: string): string[] {
    if ('regex' in this.spec) {
      return regexProblems(`${field}.regex`, this.spec.regex);
    }
    return [];
  }
}
