import type { ServerTLSMode, ServerTLSSettings } from '../api/gateway';

/** Options shared by the TLS modes that terminate TLS with a Kubernetes secret. */
export interface GatewayCredentialOptions {
  /**
   * Name of the Secret (in the gateway's namespace) holding `tls.crt`/`tls.key`
   * (and `ca.crt` for mutual TLS). Keys never enter manifests: the Secret is made elsewhere.
   */
  readonly credentialName: string;
  /** Client subject alternative names to accept (MUTUAL). @default - any */
  readonly subjectAltNames?: string[];
  /** Minimum TLS version. @default - the proxy's default (TLS 1.2) */
  readonly minProtocolVersion?: 'TLS_AUTO' | 'TLSV1_0' | 'TLSV1_1' | 'TLSV1_2' | 'TLSV1_3';
}

/**
 * How a gateway server handles TLS (Istio's `ServerTLSSettings`).
 *
 * @example
 * GatewayTls.simple({ credentialName: 'bookinfo-cert' })  // terminate TLS
 * GatewayTls.mutual({ credentialName: 'bookinfo-mtls' })  // terminate and require client certificates
 * GatewayTls.passthrough()                               // route on SNI, do not terminate
 * GatewayTls.istioMutual()                               // mesh mTLS (egress gateways)
 */
export abstract class GatewayTls {
  /** Terminate TLS with the certificate in `credentialName`. */
  public static simple(options: GatewayCredentialOptions): GatewayTls {
    return new CredentialTls('SIMPLE', options);
  }

  /** Terminate TLS and require a client certificate signed by the CA in `credentialName`. */
  public static mutual(options: GatewayCredentialOptions): GatewayTls {
    return new CredentialTls('MUTUAL', options);
  }

  /** Do not terminate: forward the TLS stream, choosing the destination by SNI. */
  public static passthrough(): GatewayTls {
    return new PlainModeTls('PASSTHROUGH');
  }

  /** Terminate the mesh's own mutual TLS (workload certificates); for egress gateways. */
  public static istioMutual(): GatewayTls {
    return new PlainModeTls('ISTIO_MUTUAL');
  }

  /** The Istio mode this renders to. */
  public abstract readonly mode: ServerTLSMode;

  /**
   * Renders the settings; `fail(field, expected, got)` reports an invalid value.
   * @internal
   */
  public abstract _render(fail: (field: string, expected: string, got: unknown) => never): ServerTLSSettings;
}

class CredentialTls extends GatewayTls {
  constructor(public readonly mode: 'SIMPLE' | 'MUTUAL', private readonly options: GatewayCredentialOptions) {
    super();
  }

  public _render(fail: (field: string, expected: string, got: unknown) => never): ServerTLSSettings {
    const name = this.options.credentialName;
    if (typeof name !== 'string' || name.length === 0) {
      fail('tls.credentialName', `the name of a Secret (required for ${this.mode})`, name);
    }
    return {
      mode: this.mode,
      credentialName: name,
      ...(this.options.subjectAltNames ? { subjectAltNames: [...this.options.subjectAltNames] } : {}),
      ...(this.options.minProtocolVersion ? { minProtocolVersion: this.options.minProtocolVersion } : {}),
    };
  }
}

class PlainModeTls extends GatewayTls {
  constructor(public readonly mode: 'PASSTHROUGH' | 'ISTIO_MUTUAL') {
    super();
  }

  public _render(): ServerTLSSettings {
    return { mode: this.mode };
  }
}
