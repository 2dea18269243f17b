/**
 * How a sample calls another service: by its mesh name, exactly as in a cluster
 * (`http://details:9080/details/0`). When a proxy is given (the `MESH_PROXY`
 * environment variable, e.g. `http://127.0.1.5:9080`, the local sidecar's egress
 * listener) the request goes to that address instead, in origin form with
 * `Host: details:9080`, and the proxy routes it by Host. Without one it connects
 * to the named host directly.
 */
import * as http from 'http';
import { MESH_PROXY, SampleEnv } from './sample-env';

/** Why a call produced no response. */
export type MeshCallFailure = 'timeout' | 'connect' | 'reset' | 'aborted';

/** A call that produced no HTTP response: timed out, refused, reset or cancelled. */
export class MeshCallError extends Error {
  public constructor(public readonly failure: MeshCallFailure, public readonly url: string, detail: string) {
    super(`${url}: ${detail}`);
    this.name = 'MeshCallError';
  }
}

/** A complete response (the body read as text). */
export interface MeshResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface MeshCallOptions {
  /** @default 'GET' */
  readonly method?: string;
  /** Headers to send, e.g. the propagated trace headers. Host is always the URL's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of the whole call, from sending to the end of the body. */
  readonly timeoutMs: number;
  /** Cancels the call (the caller's client went away, or the sample is closing). */
  readonly signal?: AbortSignal;
  readonly body?: string;
}

export interface MeshClientProps {
  /** Where to send every request, e.g. `http://127.0.1.5:9080`. @default - none: connect to the named host */
  readonly proxy?: string;
}

export class MeshClient {
  /** A client that uses `env.MESH_PROXY` when it is set. */
  public static fromEnv(env: SampleEnv): MeshClient {
    return new MeshClient({ proxy: env[MESH_PROXY] || undefined });
  }

  private readonly proxy?: URL;
  private readonly agent = new http.Agent({ keepAlive: true });

  public constructor(props: MeshClientProps = {}) {
    if (props.proxy !== undefined) {
      let url: URL;
      try {
        url = new URL(props.proxy);
      } catch {
        throw new Error(`${MESH_PROXY}: expected a URL like http://127.0.1.5:9080, got '${props.proxy}'`);
      }
      if (url.protocol !== 'http:') throw new Error(`${MESH_PROXY}: only http:// proxies are supported, got '${props.proxy}'`);
      this.proxy = url;
    }
  }

  /** Calls `url` and resolves with the whole response, or rejects with a {@link MeshCallError}. */
  public call(url: string, options: MeshCallOptions): Promise<MeshResponse> {
    const target = new URL(url);
    const via = this.proxy ?? target;
    const headers: Record<string, string> = { ...options.headers, host: target.host };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    return new Promise<MeshResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: MeshCallError | undefined, response?: MeshResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) {
          request.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };
      const request = http.request({
        agent: this.agent,
        host: via.hostname.replace(/^\[|\]$/g, ''),
        port: via.port || 80,
        method: options.method ?? 'GET',
        path: `${target.pathname}${target.search}`,
        headers,
      });
      const timer = setTimeout(() => finish(new MeshCallError('timeout', url, `no complete response within ${options.timeoutMs} ms`)), options.timeoutMs);
      const onAbort = (): void => finish(new MeshCallError('aborted', url, 'call cancelled'));
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort);
      request.on('error', (e: NodeJS.ErrnoException) => {
        const refused = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EADDRNOTAVAIL';
        finish(new MeshCallError(refused ? 'connect' : 'reset', url, `${e.code ?? e.message}${this.proxy ? ` (via ${MESH_PROXY} ${this.proxy.host})` : ''}`));
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => finish(undefined, {
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
        response.on('error', () => finish(new MeshCallError('reset', url, 'response cut short')));
      });
      request.end(options.body);
    });
  }

  /** Closes the kept-alive connections. */
  public close(): void {
    this.agent.destroy();
  }
}
