import type { HeaderOperations, Headers } from '../api/virtual-service';
import { compact } from './private/checks';

/** Changes to the headers of a request or of a response. */
export interface HeaderChanges {
  /**
   * Headers to set, replacing any existing value.
   * @default - none
   */
  readonly set?: { readonly [name: string]: string };
  /**
   * Headers to append (a header that exists keeps its value and gains one more).
   * @default - none
   */
  readonly add?: { readonly [name: string]: string };
  /**
   * Headers to remove.
   * @default - none
   */
  readonly remove?: readonly string[];
}

/** RFC 7230 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Header manipulation on a route (Istio's `Headers`): request and response set/add/remove.
 *
 * @example
 * HeaderOps.request({ set: { 'x-env': 'canary' } }).and(HeaderOps.response({ remove: ['server'] }))
 */
export abstract class HeaderOps {
  /** Changes to the request, before it is forwarded. */
  public static request(changes: HeaderChanges): HeaderOps {
    return new HeaderOpsImpl(changes, undefined);
  }

  /** Changes to the response, before it is returned. */
  public static response(changes: HeaderChanges): HeaderOps {
    return new HeaderOpsImpl(undefined, changes);
  }

  /** Changes to both. */
  public static of(changes: { readonly request?: HeaderChanges; readonly response?: HeaderChanges }): HeaderOps {
    return new HeaderOpsImpl(changes.request, changes.response);
  }

  /** This and `other` together (the same header changed by both is an error at synth). */
  public and(other: HeaderOps): HeaderOps {
    const a = this as unknown as HeaderOpsImpl;
    const b = other as unknown as HeaderOpsImpl;
    return new HeaderOpsImpl(mergeChanges(a.req, b.req), mergeChanges(a.resp, b.resp), [...a.extra, ...b.extra, ...conflicts(a, b)]);
  }

  /** @internal Istio's `Headers`. */
  public abstract _render(): Headers;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class HeaderOpsImpl extends HeaderOps {
  constructor(
    public readonly req: HeaderChanges | undefined,
    public readonly resp: HeaderChanges | undefined,
    public readonly extra: readonly string[] = [],
  ) {
    super();
  }

  public _render(): Headers {
    return compact({ request: renderChanges(this.req), response: renderChanges(this.resp) }) as Headers;
  }

  public _validate(): string[] {
    return [...this.extra, ...changeProblems('request', this.req), ...changeProblems('response', this.resp)];
  }
}

function renderChanges(c: HeaderChanges | undefined): HeaderOperations | undefined {
  if (!c) {
    return undefined;
  }
  const out = compact({
    set: c.set && Object.keys(c.set).length > 0 ? { ...c.set } : undefined,
    add: c.add && Object.keys(c.add).length > 0 ? { ...c.add } : undefined,
    remove: c.remove && c.remove.length > 0 ? [...c.remove] : undefined,
  });
  return Object.keys(out).length === 0 ? undefined : (out as HeaderOperations);
}

function changeProblems(where: string, c: HeaderChanges | undefined): string[] {
  if (!c) {
    return [];
  }
  const problems: string[] = [];
  const names: [string, string][] = [
    ...Object.keys(c.set ?? {}).map((n): [string, string] => ['set', n]),
    ...Object.keys(c.add ?? {}).map((n): [string, string] => ['add', n]),
    ...(c.remove ?? []).map((n): [string, string] => ['remove', n]),
  ];
  for (const [op, n] of names) {
    if (!HEADER_NAME.test(n)) {
      problems.push(`${where}.${op} header name must be an HTTP token (letters, digits, -, _, ...) (got ${JSON.stringify(n)})`);
    }
  }
  return problems;
}

function mergeChanges(a: HeaderChanges | undefined, b: HeaderChanges | undefined): HeaderChanges | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    set: { ...a.set, ...b.set },
    add: { ...a.add, ...b.add },
    remove: [...(a.remove ?? []), ...(b.remove ?? [])],
  };
}

function conflicts(a: HeaderOpsImpl, b: HeaderOpsImpl): string[] {
  const out: string[] = [];
  for (const [where, x, y] of [['request', a.req, b.req], ['response', a.resp, b.resp]] as const) {
    for (const op of ['set', 'add'] as const) {
      for (const k of Object.keys(x?.[op] ?? {})) {
        if (y?.[op] && k in y[op]!) {
          out.push(`${where}.${op}.${k} is given twice by HeaderOps.and() (expected once)`);
        }
      }
    }
  }
  return out;
}
