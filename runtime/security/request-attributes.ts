/**
 * What the policy engines know of a request: plain values the proxy fills in
 * once per request (or connection), so evaluation stays cheap.
 */

/** The verified JWT of a request (from RequestAuthentication). */
export interface RequestAuth {
  /** `<iss>/<sub>`: `request.auth.principal`, matched by `requestPrincipals`. */
  readonly principal: string;
  /** The `aud` claim as a list: `request.auth.audiences`. */
  readonly audiences: readonly string[];
  /** The `azp` claim: `request.auth.presenter`. */
  readonly presenter?: string;
  /** Every claim of the payload: `request.auth.claims[...]`. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface RequestAttributes {
  /**
   * `tcp` for connections without HTTP: ALLOW rules naming HTTP-only fields do
   * not match them, DENY rules ignore those fields (Istio's fail-closed rule). @default 'http'
   */
  readonly protocol?: 'http' | 'tcp';
  /** Address of the downstream peer: `source.ip`, `ipBlocks`. */
  readonly sourceIp?: string;
  /** Original client address (X-Forwarded-For / PROXY protocol): `remote.ip`, `remoteIpBlocks`. @default sourceIp */
  readonly remoteIp?: string;
  /** Peer identity from mTLS, without `spiffe://`: `source.principal`, `principals`. */
  readonly sourcePrincipal?: string;
  /** Peer namespace: `source.namespace`, `namespaces`. @default - the `ns` segment of sourcePrincipal */
  readonly sourceNamespace?: string;
  /** `destination.ip`. */
  readonly destinationIp?: string;
  /** Workload port the request arrived on: `destination.port`, `ports`. */
  readonly destinationPort?: number;
  /** TLS server name: `connection.sni`. */
  readonly sni?: string;
  /** Host header (`:authority`): `hosts`. */
  readonly host?: string;
  /** `methods`. */
  readonly method?: string;
  /** Request path, query string allowed (it is ignored): `paths`. */
  readonly path?: string;
  /** Request headers by lowercase name: `request.headers[...]`. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The verified JWT, if one was presented. */
  readonly auth?: RequestAuth;
}
