/** Plain HTTP(S) clients for end-to-end tests: one request, one fresh connection. */
import * as http from 'http';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The upstream's name (from `x-upstream`), or ''. */
  readonly upstream: string;
  readonly ms: number;
}

/**
 * Ends `req` and resolves with its response read to the end, timed from
 * `started`; rejects with `timeoutMessage` when no answer comes within `deadlineMs`.
 * `req` may be an `https` request too.
 */
export function replyTo(req: http.ClientRequest, started: number, deadlineMs: number, timeoutMessage: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    req.on('response', (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, upstream: String(res.headers['x-upstream'] ?? ''), ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(deadlineMs, () => req.destroy(new Error(timeoutMessage)));
    req.on('error', reject);
    req.end();
  });
}

/** One request over a fresh connection (Host `reviews:9080` unless `headers` says otherwise); rejects after `deadlineMs`. */
export function request(address: string, port: number, pathAndQuery: string, headers: Record<string, string> = {}, deadlineMs = 5000): Promise<Reply> {
  const started = Date.now();
  const req = http.request({ host: address, port, path: pathAndQuery, headers: { host: 'reviews:9080', ...headers }, agent: false });
  return replyTo(req, started, deadlineMs, `no answer to ${pathAndQuery} within ${deadlineMs} ms`);
}

/** GET on an admin (or monitoring) port of 127.0.0.1: status and body. */
export function admin(port: number, pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
