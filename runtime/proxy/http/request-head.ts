/**
 * What the listener stage hands to the route stage: one parsed request head, as a
 * plain object. Protocol-neutral on purpose: an HTTP/2 listener builds the same
 * shape from its pseudo-headers (`:method`, `:path`, `:authority`).
 */
export interface RequestHead {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** Origin-form target (`/path?query`), also for requests sent in absolute form. */
  readonly path: string;
  /**
   * `host[:port]` the request is for: the authority of an absolute-form target,
   * otherwise the Host header; `''` when the request names none (HTTP/1.0).
   */
  readonly authority: string;
  /**
   * The request headers as received, flat: `[name0, value0, name1, value1, ...]`.
   * Names keep the client's spelling; compare them case-insensitively (see
   * {@link headerValue}). Hop-by-hop headers are still present here; they are
   * removed only from what is forwarded.
   */
  readonly headers: readonly string[];
  /** `1.0` or `1.1` (an HTTP/2 listener reports `2`). */
  readonly httpVersion: '1.0' | '1.1' | '2';
  /** Always `http` for this listener (TLS termination comes in front of it later). */
  readonly scheme: 'http' | 'https';
  /** The downstream peer's IP address (no port). */
  readonly remoteAddress: string;
  /**
   * The downstream peer's identity when mTLS authenticated it: the URI SAN of
   * its certificate, `spiffe://<trust domain>/ns/<ns>/sa/<sa>`. Undefined on
   * plaintext connections (filled by the TLS listener; read by RBAC).
   */
  readonly peerPrincipal?: string;
}

/** The first value of header `lowerName` (give it in lower case), or undefined. */
export function headerValue(head: RequestHead, lowerName: string): string | undefined {
  const h = head.headers;
  const n = lowerName.length;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i];
    if (name.length === n && (name === lowerName || name.toLowerCase() === lowerName)) return h[i + 1];
  }
  return undefined;
}
