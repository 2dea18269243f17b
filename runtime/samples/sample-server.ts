/**
 * Runs a sample app on a plain node:http server bound to exactly one address,
 * logging one line per request, and closing cleanly (server, kept-alive
 * connections, in-flight outgoing calls).
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { formatListenAddress, ListenAddress } from './listen-address';
import { SampleDefinition } from './sample-app';
import { SampleEnv } from './sample-env';

export interface StartSampleOptions {
  /** @default - the definition's first version */
  readonly version?: string;
  /** @default - 127.0.0.1 and the definition's port */
  readonly listen?: ListenAddress;
  /** @default process.env */
  readonly env?: SampleEnv;
  /** Receives each log line (ending in `\n`). @default - write to standard output */
  readonly log?: (line: string) => void;
}

export interface RunningSample {
  readonly name: string;
  readonly version: string;
  /** The bound host and port (the real port when 0 was asked). */
  readonly address: ListenAddress;
  /** `http://host:port`. */
  readonly url: string;
  /** Resolves once the server has closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** Stops accepting, drops open connections, cancels in-flight calls. */
  close(): Promise<void>;
}

/** A sample's label in logs and errors: `reviews-v2`. */
export function sampleLabel(name: string, version: string): string {
  return `${name}-${version}`;
}

function listenError(label: string, where: string, error: NodeJS.ErrnoException): Error {
  const why: Record<string, string> = {
    EADDRINUSE: 'address already in use (is another sample or process on it?)',
    EADDRNOTAVAIL: 'address not available on this machine',
    EACCES: 'permission denied (ports below 1024 need privileges; pass --listen with another port)',
  };
  return new Error(`${label}: cannot listen on ${where}: ${why[error.code ?? ''] ?? error.message} (${error.code ?? 'error'})`);
}

/** Starts `definition` and resolves once it listens; rejects with a clear message when it cannot. */
export async function startSample(definition: SampleDefinition, options: StartSampleOptions = {}): Promise<RunningSample> {
  const version = options.version ?? definition.versions[0];
  if (!definition.versions.includes(version)) {
    throw new Error(`${definition.name}: unknown version '${version}' (expected one of ${definition.versions.join(', ')})`);
  }
  const label = sampleLabel(definition.name, version);
  const listen = options.listen ?? { host: '127.0.0.1', port: definition.defaultPort };
  const log = options.log ?? ((line: string) => { process.stdout.write(line); });
  const app = definition.create({ version, env: options.env ?? process.env });
  const closing = new AbortController();

  const server = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const perRequest = new AbortController();
    const cancel = (): void => perRequest.abort();
    closing.signal.addEventListener('abort', cancel);
    response.on('close', () => {
      closing.signal.removeEventListener('abort', cancel);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const outcome = response.writableFinished ? String(response.statusCode) : `${response.statusCode} (client gone)`;
      log(`${new Date().toISOString()} ${label} ${request.method} ${request.url} ${outcome} ${ms.toFixed(1)}ms\n`);
      perRequest.abort();
    });
    Promise.resolve()
      .then(() => app.handle(request, response, perRequest.signal))
      .catch((error: unknown) => {
        if (!response.headersSent) {
          const body = JSON.stringify({ error: error instanceof Error ? error.message : String(error) }) + '\n';
          response.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          response.end(body);
        } else {
          response.destroy();
        }
      });
  });

  const where = formatListenAddress(listen);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: listen.host, port: listen.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    app.close?.();
    throw listenError(label, where, e as NodeJS.ErrnoException);
  }

  const bound = server.address() as AddressInfo;
  const address: ListenAddress = { host: listen.host, port: bound.port };
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  let closeCalled: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closeCalled ??= (async () => {
      closing.abort();
      app.close?.();
      server.close();
      server.closeAllConnections();
      await closed;
    })();
    return closeCalled;
  };
  return {
    name: definition.name,
    version,
    address,
    url: `http://${formatListenAddress(address)}`,
    closed,
    close,
  };
}
