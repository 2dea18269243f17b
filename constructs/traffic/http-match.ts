import type { HTTPMatchRequest, StringMatch as StringMatchSpec } from '../api/virtual-service';
import { portNumber, nonEmpty } from './private/checks';
import { StringMatch } from './string-match';

/**
 * One condition (or an AND of conditions) on an HTTP request, rendered as one
 * Istio `HTTPMatchRequest`.
 *
 * Several `HttpMatch`es given to one route are OR'ed (Istio's `match` list);
 * `HttpMatch.all(a, b)` AND's conditions into a single match request.
 *
 * @example
 * HttpMatch.all(HttpMatch.prefix('/api'), HttpMatch.header('end-user', 'jason'))
 */
export abstract class HttpMatch {
  /** The request path starts with `prefix`. */
  public static prefix(prefix: string): HttpMatch {
    return HttpMatch.uri(StringMatch.prefix(prefix));
  }

  /** The request path equals `path`. */
  public static exact(path: string): HttpMatch {
    return HttpMatch.uri(StringMatch.exact(path));
  }

  /** The request path matches the RE2 regular expression `pattern`. */
  public static regex(pattern: string): HttpMatch {
    return HttpMatch.uri(StringMatch.regex(pattern));
  }

  /** The request path matches `match`. */
  public static uri(match: StringMatch): HttpMatch {
    return new HttpMatchImpl([{ uri: match }]);
  }

  /** The URI scheme (`http`, `https`) matches; a plain string is an exact match. */
  public static scheme(scheme: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ scheme: StringMatch.of(scheme) }]);
  }

  /** The HTTP method matches; a plain string is an exact match (`GET`). */
  public static method(method: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ method: StringMatch.of(method) }]);
  }

  /** The authority (`Host` header) matches; a plain string is an exact match. */
  public static authority(authority: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ authority: StringMatch.of(authority) }]);
  }

  /**
   * Header `name` matches; a plain string is an exact match. Header names are
   * lower-cased, as Istio requires.
   */
  public static header(name: string, value: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ headers: { [name.toLowerCase()]: StringMatch.of(value) } }]);
  }

  /**
   * Header `name` must NOT match `value`; without `value`, the header must be absent.
   */
  public static withoutHeader(name: string, value?: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ withoutHeaders: { [name.toLowerCase()]: value === undefined ? null : StringMatch.of(value) } }]);
  }

  /**
   * Query parameter `name` matches; a plain string is an exact match.
   * Istio supports only exact and regex matches on query parameters.
   */
  public static queryParam(name: string, value: string | StringMatch): HttpMatch {
    return new HttpMatchImpl([{ queryParams: { [name]: StringMatch.of(value) } }]);
  }

  /** The request arrived on service port `port`. */
  public static port(port: number): HttpMatch {
    return new HttpMatchImpl([{ port }]);
  }

  /** The calling workload carries all of these labels. */
  public static sourceLabels(labels: { readonly [key: string]: string }): HttpMatch {
    return new HttpMatchImpl([{ sourceLabels: { ...labels } }]);
  }

  /** The calling workload runs in namespace `namespace`. */
  public static sourceNamespace(namespace: string): HttpMatch {
    return new HttpMatchImpl([{ sourceNamespace: namespace }]);
  }

  /** The request came through one of these gateways (`<namespace>/<name>` or `mesh`). */
  public static gateways(...gateways: string[]): HttpMatch {
    return new HttpMatchImpl([{ gateways }]);
  }

  /** Matches the URI case-insensitively (combine with a uri match through `all`). */
  public static ignoreUriCase(): HttpMatch {
    return new HttpMatchImpl([{ ignoreUriCase: true }]);
  }

  /** Names the match (it shows in access logs); combine with `all`. */
  public static named(name: string): HttpMatch {
    return new HttpMatchImpl([{ name }]);
  }

  /**
   * All the given conditions must hold: one `HTTPMatchRequest` with every field.
   * Giving the same field twice (two uris, the same header twice) is a synth-time error.
   */
  public static all(...matches: HttpMatch[]): HttpMatch {
    const parts: Fragment[] = [];
    for (const m of matches) {
      parts.push(...(m as HttpMatchImpl)._parts);
    }
    return new HttpMatchImpl(parts);
  }

  /** This match AND `others`: the same as `HttpMatch.all(this, ...others)`. */
  public and(...others: HttpMatch[]): HttpMatch {
    return HttpMatch.all(this, ...others);
  }

  /** @internal Istio's `HTTPMatchRequest`. */
  public abstract _render(): HTTPMatchRequest;

  /** @internal Problems with this match, each starting with a field name. */
  public abstract _validate(): string[];
}

/** One condition as given to a factory, before merging. */
interface Fragment {
  readonly uri?: StringMatch;
  readonly scheme?: StringMatch;
  readonly method?: StringMatch;
  readonly authority?: StringMatch;
  readonly headers?: { readonly [name: string]: StringMatch };
  readonly withoutHeaders?: { readonly [name: string]: StringMatch | null };
  readonly queryParams?: { readonly [name: string]: StringMatch };
  readonly port?: number;
  readonly sourceLabels?: { readonly [key: string]: string };
  readonly sourceNamespace?: string;
  readonly gateways?: readonly string[];
  readonly ignoreUriCase?: boolean;
  readonly name?: string;
}

const SINGLE_FIELDS = ['uri', 'scheme', 'method', 'authority', 'port', 'sourceNamespace', 'ignoreUriCase', 'name'] as const;
const MAP_FIELDS = ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const;

class HttpMatchImpl extends HttpMatch {
  constructor(public readonly _parts: readonly Fragment[]) {
    super();
  }

  public _render(): HTTPMatchRequest {
    const out: Record<string, unknown> = {};
    for (const part of this._parts) {
      for (const f of SINGLE_FIELDS) {
        const v = part[f];
        if (v !== undefined && out[f] === undefined) {
          out[f] = v instanceof StringMatch ? v._render() : v;
        }
      }
      for (const f of MAP_FIELDS) {
        const map = part[f];
        if (map === undefined) {
          continue;
        }
        const target = (out[f] ?? {}) as Record<string, unknown>;
        for (const [k, v] of Object.entries(map)) {
          if (!(k in target)) {
            target[k] = renderMapValue(v);
          }
        }
        out[f] = target;
      }
      if (part.gateways) {
        out.gateways = [...((out.gateways as string[] | undefined) ?? []), ...part.gateways];
      }
    }
    return out as HTTPMatchRequest;
  }

  public _validate(): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    const seenKeys = new Set<string>();
    for (const part of this._parts) {
      for (const f of SINGLE_FIELDS) {
        if (part[f] === undefined) {
          continue;
        }
        if (seen.has(f)) {
          problems.push(`${f} is given more than once in HttpMatch.all(); one match request has a single ${f}`);
        }
        seen.add(f);
      }
      for (const f of MAP_FIELDS) {
        for (const k of Object.keys(part[f] ?? {})) {
          const key = `${f}.${k}`;
          if (seenKeys.has(key)) {
            problems.push(`${key} is given more than once in HttpMatch.all()`);
          }
          seenKeys.add(key);
          problems.push(...nonEmpty(`${f} name`, k));
        }
      }
      for (const f of ['uri', 'scheme', 'method', 'authority'] as const) {
        problems.push(...(part[f]?._validate(f) ?? []));
      }
      for (const f of ['headers', 'queryParams'] as const) {
        for (const [k, v] of Object.entries(part[f] ?? {})) {
          problems.push(...v._validate(`${f}.${k}`));
        }
      }
      for (const [k, v] of Object.entries(part.queryParams ?? {})) {
        if (v.kind === 'prefix') {
          problems.push(`queryParams.${k} must be an exact or regex match (got prefix); Istio does not support prefix matches on query parameters`);
        }
      }
      problems.push(...portNumber('port', part.port));
      if (part.gateways) {
        for (const g of part.gateways) {
          problems.push(...nonEmpty('gateways[]', g));
        }
      }
    }
    if (seen.has('ignoreUriCase') && !seen.has('uri')) {
      problems.push('ignoreUriCase needs a uri match (prefix, exact or regex) in the same HttpMatch.all()');
    }
    return problems;
  }
}

function renderMapValue(v: StringMatch | string | null): StringMatchSpec | string | Record<string, never> {
  if (v === null) {
    return {};
  }
  return v instanceof StringMatch ? v._render() : v;
}
