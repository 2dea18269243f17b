/**
 * Small HTTP upstreams on loopback answering with their own identity, for
 * end-to-end tests of the proxy.
 */
import * as http from 'http';

export interface Upstream {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Requests seen, in order. */
  readonly seen: { path: string; headers: http.IncomingHttpHeaders }[];
  /** Answer every request with this status (0: normal). */
  failWith: number;
  close(): Promise<void>;
}

/**
 * An upstream answering `{ name, path, headers }` as JSON, with headers
 * `x-upstream: <name>` and `x-upstream-secret: s`. Request headers steer it:
 * `x-delay-ms: n` waits n ms; `x-fail-times: n` with `x-key: k` answers 503 to
 * the first n requests carrying key k.
 */
export async function startUpstream(name: string, address: string): Promise<Upstream> {
  const failures = new Map<string, number>();
  const seen: Upstream['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const answer = (status: number): void => {
        const body = JSON.stringify({ name, path: req.url, headers: req.headers });
        res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': name, 'x-upstream-secret': 's', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (upstream.failWith !== 0) return answer(upstream.failWith);
      const key = req.headers['x-key'];
      const times = Number(req.headers['x-fail-times'] ?? 0);
      if (typeof key === 'string' && times > 0) {
        const n = failures.get(key) ?? 0;
        failures.set(key, n + 1);
        if (n < times) return answer(503);
      }
      const delay = Number(req.headers['x-delay-ms'] ?? 0);
      if (delay > 0) {
        const t = setTimeout(() => answer(200), delay);
        res.on('close', () => clearTimeout(t));
        return;
      }
      answer(200);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  const upstream: Upstream = {
    name, address, port, seen, failWith: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return upstream;
}
