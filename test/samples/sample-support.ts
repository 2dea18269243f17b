/**
 * Test support for the sample services: start samples on loopback port 0 and
 * close them all after each test, a tiny forwarder that routes by Host (what the
 * sidecar does for MESH_PROXY), a deliberately slow server, and a plain client.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { RunningSample, SampleDefinition, SampleEnv, startSample } from '../../runtime/samples';

type Closer = () => Promise<void>;
const open: Closer[] = [];

/** Closes everything the helpers below started; call from afterEach. */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((close) => close()));
}

/** Starts `definition` on 127.0.0.1:0 with `env`, collecting its log lines. */
export async function runSample(definition: SampleDefinition, version: string | undefined, env: SampleEnv = {}): Promise<RunningSample & { logs: string[] }> {
  const logs: string[] = [];
  const running = await startSample(definition, { version, env, listen: { host: '127.0.0.1', port: 0 }, log: (l) => logs.push(l) });
  open.push(() => running.close());
  return Object.assign(running, { logs });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One request the forwarder saw. */
export interface Forwarded {
  readonly host: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A stand-in sidecar: forwards each request to the base URL registered for its Host header. */
export interface HostRouter {
  /** Point `MESH_PROXY` here. */
  readonly url: string;
  /** Host header (`reviews:9080`) → base URL of the instance that answers it. */
  readonly routes: Map<string, string>;
  readonly seen: Forwarded[];
}

export async function startHostRouter(routes: Record<string, string> = {}): Promise<HostRouter> {
  const table = new Map(Object.entries(routes));
  const seen: Forwarded[] = [];
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    seen.push({ host, path: req.url ?? '', headers: req.headers });
    const target = table.get(host);
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no route for ${host}\n`);
      return;
    }
    const url = new URL(target);
    const upstream = http.request({
      host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers, agent: false,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(503).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return { url: await listen(server), routes: table, seen };
}

/** A server that answers `body` as JSON after `delayMs`, or never when the client leaves first. */
export async function startSlowServer(delayMs: number, body: unknown): Promise<{ url: string; requests: number }> {
  const timers = new Set<NodeJS.Timeout>();
  const state = { url: '', requests: 0 };
  const server = http.createServer((_req, res) => {
    state.requests++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }, delayMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  state.url = await listen(server);
  open.push(async () => timers.forEach((t) => clearTimeout(t)));
  return state;
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on its own connection. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON body of `answer`. */
export function json<T = Record<string, unknown>>(answer: Answer): T {
  return JSON.parse(answer.body) as T;
}
