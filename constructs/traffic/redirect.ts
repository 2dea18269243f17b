import type { HTTPRedirect } from '../api/virtual-service';
import { compact, nonEmpty, portNumber } from './private/checks';

/** Redirect status codes Envoy can send. */
export const REDIRECT_CODES = [301, 302, 303, 307, 308] as const;

/** Where and how to redirect. At least one of `uri`, `authority`, `port`, `scheme` is needed. */
export interface RedirectOptions {
  /**
   * Path of the new location (replaces the whole path).
   * @default - the request's path
   */
  readonly uri?: string;
  /**
   * Authority (host) of the new location.
   * @default - the request's authority
   */
  readonly authority?: string;
  /**
   * Port of the new location.
   * @default - the request's port
   */
  readonly port?: number;
  /**
   * Scheme of the new location (`https`).
   * @default - the request's scheme
   */
  readonly scheme?: string;
  /**
   * Status code: 301, 302, 303, 307 or 308.
   * @default 301
   */
  readonly redirectCode?: number;
}

/** The redirect code used when none is given (Istio's default). */
export const DEFAULT_REDIRECT_CODE = 301;

/** Answers with a redirect instead of forwarding (Istio's `HTTPRedirect`). */
export abstract class Redirect {
  /** Redirects to a new location. */
  public static to(options: RedirectOptions): Redirect {
    return new RedirectImpl(options);
  }

  /** Redirects plain HTTP to HTTPS on the same host and path (301). */
  public static toHttps(options: { readonly port?: number; readonly redirectCode?: number } = {}): Redirect {
    return new RedirectImpl({ scheme: 'https', ...options });
  }

  /** @internal Istio's `HTTPRedirect`. */
  public abstract _render(): HTTPRedirect;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class RedirectImpl extends Redirect {
  constructor(private readonly options: RedirectOptions) {
    super();
  }

  public _render(): HTTPRedirect {
    const o = this.options;
    return compact({
      uri: o.uri,
      authority: o.authority,
      port: o.port,
      scheme: o.scheme,
      redirectCode: o.redirectCode ?? DEFAULT_REDIRECT_CODE,
    }) as HTTPRedirect;
  }

  public _validate(): string[] {
    const o = this.options;
    const problems = [
      ...nonEmpty('redirect.uri', o.uri),
      ...nonEmpty('redirect.authority', o.authority),
      ...portNumber('redirect.port', o.port),
    ];
    if (o.uri === undefined && o.authority === undefined && o.port === undefined && o.scheme === undefined) {
      problems.push('redirect must set at least one of uri, authority, port, scheme (got none)');
    }
    if (o.scheme !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(o.scheme)) {
      problems.push(`redirect.scheme must be a URI scheme like https (got ${JSON.stringify(o.scheme)})`);
    }
    if (o.redirectCode !== undefined && !(REDIRECT_CODES as readonly number[]).includes(o.redirectCode)) {
      problems.push(`redirect.redirectCode must be one of ${REDIRECT_CODES.join(', ')} (got ${o.redirectCode})`);
    }
    return problems;
  }
}
