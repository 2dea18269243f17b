/**
 * The monitoring HTTP server (Istio's 15014): `/metrics` (Prometheus text),
 * `/ready`, and the debug endpoints `/debug/syncz`, `/debug/config_dump?proxyID=`
 * and `/debug/config_errors`, all JSON. Bound to loopback unless told otherwise.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Registry } from 'prom-client';

/** What the endpoints read. */
export interface MonitoringSources {
  readonly registry: Registry;
  readonly ready: () => boolean;
  readonly syncz: () => unknown;
  /** `undefined` when the proxy is unknown. */
  readonly configDump: (proxyId: string) => unknown;
  readonly configErrors: () => unknown;
}

export interface MonitoringServer {
  readonly port: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

function text(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

async function handle(sources: MonitoringSources, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'only GET\n');
  switch (url.pathname) {
    case '/metrics':
      return text(res, 200, await sources.registry.metrics(), sources.registry.contentType);
    case '/ready':
      return sources.ready() ? text(res, 200, 'ready\n') : text(res, 503, 'initial config not loaded yet\n');
    case '/debug/syncz':
      return json(res, 200, sources.syncz());
    case '/debug/config_errors':
      return json(res, 200, sources.configErrors());
    case '/debug/config_dump': {
      const proxyId = url.searchParams.get('proxyID');
      if (!proxyId) return json(res, 400, { error: 'proxyID query parameter required' });
      const dump = sources.configDump(proxyId);
      if (dump === undefined) return json(res, 404, { error: `no snapshot for proxy '${proxyId}'` });
      return json(res, 200, dump);
    }
    default:
      return text(res, 404, 'endpoints: /metrics /ready /debug/syncz /debug/config_dump?proxyID= /debug/config_errors\n');
  }
}

/** Starts the server on `host:port` (port 0: any free port). */
export function startMonitoringServer(sources: MonitoringSources, host: string, port: number): Promise<MonitoringServer> {
  const server = http.createServer((req, res) => {
    handle(sources, req, res).catch((e: unknown) => text(res, 500, `${e instanceof Error ? e.message : String(e)}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`monitoring server: cannot listen on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
