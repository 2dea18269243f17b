import type { ClientTLSSettings } from '../api/destination-rule';
import { compact } from './private/checks';

/** Istio's client TLS modes (`ClientTLSSettings.TLSmode`). */
export enum TlsMode {
  /** Plain text. */
  DISABLE = 'DISABLE',
  /** TLS, server verified only. */
  SIMPLE = 'SIMPLE',
  /** TLS with a client certificate you provide. */
  MUTUAL = 'MUTUAL',
  /** Mesh mTLS with the certificates Istio issues to the workload. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/** Options of one-way TLS. */
export interface SimpleTlsOptions {
  /**
   * Path (in the proxy) of the CA bundle that verifies the server.
   * @default - the system roots when `credentialName` is not given
   */
  readonly caCertificates?: string;
  /**
   * Kubernetes secret holding the CA (gateways only).
   * @default - none
   */
  readonly credentialName?: string;
  /**
   * SNI sent in the handshake.
   * @default - none
   */
  readonly sni?: string;
  /**
   * Names the server certificate must carry.
   * @default - not checked
   */
  readonly subjectAltNames?: readonly string[];
  /**
   * Skip verifying the server certificate (not for production).
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** Options of mutual TLS with your own client certificate. */
export interface MutualTlsOptions extends SimpleTlsOptions {
  /** Path (in the proxy) of the client certificate; needs `privateKey`, or use `credentialName`. @default - none */
  readonly clientCertificate?: string;
  /** Path (in the proxy) of the client private key; needs `clientCertificate`. @default - none */
  readonly privateKey?: string;
}

/** Options of Istio mutual TLS. */
export interface IstioMutualTlsOptions {
  /** SNI sent in the handshake. @default - none */
  readonly sni?: string;
  /** Names the server certificate must carry. @default - not checked */
  readonly subjectAltNames?: readonly string[];
}

/**
 * TLS the client side uses towards a destination (Istio's `ClientTLSSettings`).
 * Certificates are referenced by path or secret name, never inlined.
 */
export abstract class ClientTls {
  /** Plain text. */
  public static disable(): ClientTls {
    return new ClientTlsImpl(TlsMode.DISABLE, {});
  }

  /** One-way TLS (origination to an external HTTPS service, for instance). */
  public static simple(options: SimpleTlsOptions = {}): ClientTls {
    return new ClientTlsImpl(TlsMode.SIMPLE, options);
  }

  /** Mutual TLS with a client certificate you provide. */
  public static mutual(options: MutualTlsOptions): ClientTls {
    return new ClientTlsImpl(TlsMode.MUTUAL, options);
  }

  /** Mesh mTLS with Istio-issued certificates. */
  public static istioMutual(options: IstioMutualTlsOptions = {}): ClientTls {
    return new ClientTlsImpl(TlsMode.ISTIO_MUTUAL, options);
  }

  /** The TLS mode. */
  public abstract readonly mode: TlsMode;

  /** @internal Istio's `ClientTLSSettings`. */
  public abstract _render(): ClientTLSSettings;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

class ClientTlsImpl extends ClientTls {
  constructor(public readonly mode: TlsMode, private readonly o: MutualTlsOptions) {
    super();
  }

  public _render(): ClientTLSSettings {
    const o = this.o;
    return compact({
      mode: this.mode,
      clientCertificate: o.clientCertificate,
      privateKey: o.privateKey,
      caCertificates: o.caCertificates,
      credentialName: o.credentialName,
      sni: o.sni,
      subjectAltNames: o.subjectAltNames ? [...o.subjectAltNames] : undefined,
      insecureSkipVerify: o.insecureSkipVerify,
    }) as ClientTLSSettings;
  }

  public _validate(): string[] {
    const o = this.o;
    if (this.mode !== TlsMode.MUTUAL) {
      return [];
    }
    const problems: string[] = [];
    if (o.credentialName === undefined && (o.clientCertificate === undefined || o.privateKey === undefined)) {
      problems.push('tls with mode MUTUAL needs credentialName, or both clientCertificate and privateKey (got '
        + `${o.clientCertificate === undefined ? 'no' : 'a'} clientCertificate and ${o.privateKey === undefined ? 'no' : 'a'} privateKey)`);
    }
    return problems;
  }
}
