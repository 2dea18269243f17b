import * as http from 'http';
import * as net from 'net';
import {
  AccessLogEntry,
  formatResponseFlags,
  Http1Listener,
  Http1ListenerProps,
  RequestHead,
  RouteDecision,
} from '../../runtime/proxy/http';
import { EndpointPool, EndpointPoolProps } from '../../runtime/proxy/upstream';

/** What an upstream saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface Upstream {
  readonly port: number;
  readonly seen: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: SeenRequest, res: http.ServerResponse) => void;

/** A node:http upstream on 127.0.0.1 that records every request (body fully read) then calls `handler`. */
export async function startUpstream(handler: UpstreamHandler = (_r, res) => res.end('ok')): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(parts) };
      seen.push(r);
      handler(r, res);
    });
  });
  server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface Proxy {
  readonly port: number;
  readonly listener: Http1Listener;
  readonly pool: EndpointPool;
  readonly log: AccessLogEntrySnapshot[];
  readonly heads: RequestHead[];
  /** Resolves with the next access-log entry matching `pred`. */
  waitForLog(pred: (e: AccessLogEntrySnapshot) => boolean): Promise<AccessLogEntrySnapshot>;
  close(): Promise<void>;
}

export interface AccessLogEntrySnapshot {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly flags: string;
  readonly details: string;
  readonly requestId: string;
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

export interface ProxyOptions {
  readonly listener?: Omit<Http1ListenerProps, 'route'>;
  readonly pool?: EndpointPoolProps;
  /** Route timeout for forwarded requests. */
  readonly timeoutMs?: number;
  /** Paths answered locally with 404 NR. */
  readonly noRoutePrefix?: string;
}

/** The engine with one static route to `upstreamPort` (paths under `/nr` get 404 NR). */
export async function startProxy(upstreamPort: number, opts: ProxyOptions = {}): Promise<Proxy> {
  const pool = new EndpointPool({ host: '127.0.0.1', port: upstreamPort }, opts.pool);
  const forward = RouteDecision.forward(pool, 'outbound|80||upstream.test', opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
  const noRoute = RouteDecision.failure('no-route');
  const prefix = opts.noRoutePrefix ?? '/nr';
  const heads: RequestHead[] = [];
  const log: AccessLogEntrySnapshot[] = [];
  const waiters: { pred: (e: AccessLogEntrySnapshot) => boolean; resolve: (e: AccessLogEntrySnapshot) => void }[] = [];
  const listener = new Http1Listener({
    ...opts.listener,
    route: (head) => {
      heads.push(head);
      return head.path.startsWith(prefix) ? noRoute : forward;
    },
    accessLog: (e: AccessLogEntry) => {
      const snap: AccessLogEntrySnapshot = {
        method: e.head.method,
        path: e.head.path,
        status: e.responseCode,
        flags: formatResponseFlags(e.responseFlags),
        details: e.responseCodeDetails,
        requestId: e.requestId,
        bytesReceived: e.bytesReceived,
        bytesSent: e.bytesSent,
      };
      log.push(snap);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].pred(snap)) {
          waiters[i].resolve(snap);
          waiters.splice(i, 1);
        }
      }
    },
  });
  const addr = await listener.listen(0, '127.0.0.1');
  return {
    port: addr.port,
    listener,
    pool,
    log,
    heads,
    waitForLog: (pred) => {
      const found = log.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    close: async () => {
      await listener.close();
      pool.close();
    },
  };
}

export interface ClientResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request through node:http's client (its own connection unless an agent is given). */
export function request(
  port: number,
  opts: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | Buffer[]; agent?: http.Agent } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const b = opts.body;
    if (Array.isArray(b)) {
      for (const part of b) req.write(part);
      req.end();
    } else req.end(b);
  });
}

export interface RawResult {
  /** Everything the proxy sent, as latin1 text. */
  readonly text: string;
  /** The proxy closed the connection (rather than the deadline passing). */
  readonly closed: boolean;
  readonly elapsedMs: number;
}

/**
 * Writes raw bytes and collects what comes back until the proxy closes the
 * connection, `until` matches the text so far, or `deadlineMs` passes.
 */
export function rawExchange(
  port: number,
  data: string | Buffer | (string | Buffer)[],
  opts: { deadlineMs?: number; until?: (text: string) => boolean } = {},
): Promise<RawResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, elapsedMs: Date.now() - start });
    };
    const timer = setTimeout(() => finish(false), opts.deadlineMs ?? 3000);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (opts.until !== undefined && opts.until(text)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      const parts = Array.isArray(data) ? data : [data];
      for (const p of parts) socket.write(p);
    });
  });
}

/** Status codes of the responses in a raw text, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** Resolves once `cond()` holds (checked every few ms), rejects after `deadlineMs`. */
export function until(cond: () => boolean, deadlineMs = 2000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (cond()) resolve();
      else if (Date.now() - start > deadlineMs) reject(new Error('condition not met in time'));
      else setTimeout(check, 2);
    };
    check();
  });
}
