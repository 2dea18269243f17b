/**
 * The proxy's admin endpoints on 127.0.0.1 (Envoy's port 15000): `/ready`,
 * `/config_dump`, `/clusters`, `/stats`, `/stats/prometheus`, `/server_info`,
 * `/certs`, `/identity` (meshform: the workload identity), `/quitquitquit`.
 * Text is built on request from an {@link AdminSource}.
 */
import * as http from 'http';
import { mergeSeries, renderIstioMetrics, renderStatsPrometheus, renderStatsText } from '../metrics';
import type { AdminSource } from './admin-source';
import { identitySummary, renderCerts } from './certs';

export interface AdminServerProps {
  readonly source: AdminSource;
  /** @default 15000 (0 picks a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export const DEFAULT_ADMIN_PORT = 15000;

export class AdminServer {
  private readonly server: http.Server;

  private constructor(private readonly source: AdminSource) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => send(res, 500, `admin: ${e instanceof Error ? e.message : String(e)}\n`));
    });
  }

  /** Starts listening; resolves with the server once bound. */
  static async start(props: AdminServerProps): Promise<AdminServer> {
    const admin = new AdminServer(props.source);
    await new Promise<void>((resolve, reject) => {
      admin.server.once('error', reject);
      admin.server.listen(props.port ?? DEFAULT_ADMIN_PORT, props.host ?? '127.0.0.1', () => {
        admin.server.off('error', reject);
        resolve();
      });
    });
    return admin;
  }

  get port(): number {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a.port : 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const s = this.source;
    switch (url.pathname) {
      case '/ready': {
        const ready = await s.ready();
        send(res, ready ? 200 : 503, ready ? 'LIVE\n' : 'PRE_INITIALIZING\n');
        return;
      }
      case '/config_dump':
        sendJson(res, await s.configDump());
        return;
      case '/clusters':
        send(res, 200, await s.clusters());
        return;
      case '/stats': {
        const filter = url.searchParams.get('filter');
        const stats = await s.stats();
        if (filter !== null) {
          const re = new RegExp(filter);
          for (const k of Object.keys(stats)) if (!re.test(k)) delete stats[k];
        }
        send(res, 200, renderStatsText(stats));
        return;
      }
      case '/stats/prometheus': {
        const [series, stats] = await Promise.all([s.istioSeries(), s.stats()]);
        send(res, 200, renderIstioMetrics(mergeSeries([series])) + renderStatsPrometheus(stats), 'text/plain; version=0.0.4');
        return;
      }
      case '/server_info':
        sendJson(res, await s.serverInfo());
        return;
      case '/certs':
        sendJson(res, renderCerts((await s.certificates?.()) ?? []));
        return;
      case '/identity': {
        const workload = ((await s.certificates?.()) ?? []).find((c) => c.workload !== false);
        if (workload === undefined) send(res, 404, 'no workload certificate: this proxy runs without a workload identity (plaintext only)\n');
        else sendJson(res, identitySummary(workload));
        return;
      }
      case '/quitquitquit':
        send(res, 200, 'OK\n');
        s.quit();
        return;
      case '/':
        send(res, 200, ['/ready', '/config_dump', '/clusters', '/stats', '/stats/prometheus', '/server_info', '/certs', '/identity', '/quitquitquit'].join('\n') + '\n');
        return;
      default:
        send(res, 404, `no admin endpoint ${url.pathname}\n`);
    }
  }
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: http.ServerResponse, value: unknown): void {
  send(res, 200, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}
