/**
 * A small httpbin (the HTTP echo service of the circuit-breaker walkthrough):
 * `/get`, `/headers`, `/ip`, `/anything`, `POST /post`, `/status/<code>` and
 * `/delay/<seconds>` (at most 10), answering JSON shaped like httpbin's.
 */
import { IncomingMessage, ServerResponse } from 'http';
import { methodNotAllowed, notFound, readBody, requestUrl, sendJson } from './http-util';
import { SampleApp, SampleDefinition } from './sample-app';

/** The longest `/delay/<seconds>` answered; longer asks wait this long. */
export const MAX_DELAY_SECONDS = 10;

/** Header names as httpbin shows them: `User-Agent`, `X-Request-Id`. */
function titleCase(name: string): string {
  return name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    out[titleCase(name)] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function argsOf(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

function originOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function fullUrl(request: IncomingMessage): string {
  return `http://${request.headers.host ?? 'httpbin'}${request.url ?? '/'}`;
}

/** What `/anything` and `/post` answer: the request, with its body read as data, form or JSON. */
async function echoWithBody(request: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const data = await readBody(request);
  const type = request.headers['content-type'] ?? '';
  let json: unknown = null;
  if (type.includes('application/json')) {
    try {
      json = JSON.parse(data);
    } catch {
      json = null;
    }
  }
  const form = type.includes('application/x-www-form-urlencoded') ? argsOf(new URL(`http://x/?${data}`)) : {};
  return {
    args: argsOf(url), data, files: {}, form, headers: headersOf(request), json,
    method: request.method, origin: originOf(request), url: fullUrl(request),
  };
}

export const HTTPBIN: SampleDefinition = {
  name: 'httpbin',
  defaultPort: 80,
  versions: ['v1'],
  create(): SampleApp {
    const echo = (request: IncomingMessage, url: URL) => ({
      args: argsOf(url), headers: headersOf(request), origin: originOf(request), url: fullUrl(request),
    });

    const delay = (response: ServerResponse, request: IncomingMessage, url: URL, seconds: number, signal: AbortSignal): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', cancel);
          sendJson(response, 200, { ...echo(request, url), delay: seconds });
          resolve();
        }, Math.min(seconds, MAX_DELAY_SECONDS) * 1000);
        const cancel = (): void => {
          clearTimeout(timer);
          resolve();
        };
        signal.addEventListener('abort', cancel);
      });

    return {
      async handle(request, response, signal) {
        const url = requestUrl(request);
        const path = url.pathname;
        const method = request.method ?? 'GET';
        if (path === '/anything' || path.startsWith('/anything/')) return sendJson(response, 200, await echoWithBody(request, url));
        if (path === '/post') {
          return method === 'POST' ? sendJson(response, 200, await echoWithBody(request, url)) : methodNotAllowed(response, 'POST');
        }
        const status = /^\/status\/(\d{3})$/.exec(path);
        if (status) {
          const code = Number(status[1]);
          if (code < 100 || code > 599) return sendJson(response, 400, { error: `status must be 100..599, got ${code}` });
          response.writeHead(code, { 'content-length': 0 });
          return void response.end();
        }
        if (/^\/status\//.test(path)) return sendJson(response, 400, { error: `invalid status code in ${path}` });
        if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET');
        const delayed = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(path);
        if (delayed) return delay(response, request, url, Math.min(Number(delayed[1]), MAX_DELAY_SECONDS), signal);
        switch (path) {
          case '/get': return sendJson(response, 200, echo(request, url));
          case '/headers': return sendJson(response, 200, { headers: headersOf(request) });
          case '/ip': return sendJson(response, 200, { origin: originOf(request) });
          case '/health': return sendJson(response, 200, { status: 'httpbin is healthy' });
        }
        return notFound(response);
      },
    };
  },
};
