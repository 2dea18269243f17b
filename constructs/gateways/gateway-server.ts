import type { Server } from '../api/gateway';
import { GatewayTls } from './gateway-tls';
import { isGatewayHost } from './private/hosts';

/** Options of every gateway server. */
export interface GatewayServerOptions {
  /** Port the gateway listens on (and its Service exposes), 1..65535. */
  readonly port: number;
  /** Hosts served, `[<namespace>/]<host>`: `*`, `bookinfo.example.com`, `*.example.com`, `prod/*`. */
  readonly hosts: string[];
  /** Port name. @default `<protocol>-<port>`, e.g. `http-80` */
  readonly portName?: string;
  /** Server name, used in stats. @default - none */
  readonly name?: string;
}

/** Options of a plain HTTP server. */
export interface HttpServerOptions extends GatewayServerOptions {
  /** Answer every request with a 301 redirect to HTTPS. @default false */
  readonly httpsRedirect?: boolean;
}

/** Options of a TLS-bearing server. */
export interface TlsServerOptions extends GatewayServerOptions {
  /** How TLS is handled. */
  readonly tls: GatewayTls;
}

/** Gateway protocols meshform's servers use. */
export type GatewayServerProtocol = 'HTTP' | 'HTTPS' | 'HTTP2' | 'GRPC' | 'TCP' | 'TLS';

/**
 * One port/protocol/hosts combination a gateway exposes (Istio's `Server`).
 *
 * @example
 * gateway.addServer(GatewayServer.http({ port: 80, hosts: ['*'] }));
 * gateway.addServer(GatewayServer.https({ port: 443, hosts: ['bookinfo.example.com'],
 *   tls: GatewayTls.simple({ credentialName: 'bookinfo-cert' }) }));
 */
export abstract class GatewayServer {
  /** Plain HTTP. */
  public static http(options: HttpServerOptions): GatewayServer {
    const tls = options.httpsRedirect ? { httpsRedirect: true } : undefined;
    return new BasicServer('HTTP', options, () => tls);
  }

  /** HTTPS: TLS terminated (SIMPLE, MUTUAL) or passed through (PASSTHROUGH). */
  public static https(options: TlsServerOptions): GatewayServer {
    return new BasicServer('HTTPS', options, (fail) => options.tls._render(fail));
  }

  /** TLS carrying any protocol, typically PASSTHROUGH or ISTIO_MUTUAL. */
  public static tls(options: TlsServerOptions): GatewayServer {
    return new BasicServer('TLS', options, (fail) => options.tls._render(fail));
  }

  /** Plain TCP. */
  public static tcp(options: GatewayServerOptions): GatewayServer {
    return new BasicServer('TCP', options, () => undefined);
  }

  /** Plaintext gRPC. */
  public static grpc(options: GatewayServerOptions): GatewayServer {
    return new BasicServer('GRPC', options, () => undefined);
  }

  /** The Istio protocol of the server's port. */
  public abstract readonly protocol: GatewayServerProtocol;
  /** The port number. */
  public abstract readonly port: number;
  /** The port name. */
  public abstract readonly portName: string;

  /**
   * Validates and renders the server. `fail(field, expected, got)` reports an invalid value.
   * @internal
   */
  public abstract _render(fail: (field: string, expected: string, got: unknown) => never): Server;
}

type Fail = (field: string, expected: string, got: unknown) => never;

class BasicServer extends GatewayServer {
  public readonly port: number;
  public readonly portName: string;

  constructor(
    public readonly protocol: GatewayServerProtocol,
    private readonly options: GatewayServerOptions,
    private readonly renderTls: (fail: Fail) => Server['tls'],
  ) {
    super();
    this.port = options.port;
    this.portName = options.portName ?? `${protocol.toLowerCase()}-${options.port}`;
  }

  public _render(fail: Fail): Server {
    const { port, hosts } = this.options;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      fail('port', 'an integer from 1 to 65535', port);
    }
    if (!Array.isArray(hosts) || hosts.length === 0) {
      fail('hosts', 'a non-empty list of hosts', hosts);
    }
    hosts.forEach((host, i) => {
      if (!isGatewayHost(host)) {
        fail(`hosts[${i}]`, "'[<namespace>/]<host>' with host '*', a DNS name or '*.<DNS name>'", host);
      }
    });
    const tls = this.renderTls(fail);
    return {
      port: { number: port, protocol: this.protocol, name: this.portName },
      hosts: [...hosts],
      ...(tls ? { tls } : {}),
      ...(this.options.name ? { name: this.options.name } : {}),
    };
  }
}
