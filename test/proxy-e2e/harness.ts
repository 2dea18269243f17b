/**
 * End-to-end harness of the proxy: a control plane in this process (serving a
 * temp dir of Istio YAML), `startProxy` in this process, and small HTTP
 * upstreams on 127.0.77.x answering with their own identity.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { ControlPlane, SILENT, startControlPlane } from '../../runtime/control-plane';
import { ProxyRuntime, startProxy } from '../../runtime/proxy/data-plane';
import { buildProxyNode } from '../../runtime/proxy/node';

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

/** A Service on port 9080 and one WorkloadEntry per upstream (labels app=<service>, version=<upstream name>). */
export function serviceYaml(service: string, upstreams: readonly { name: string; address: string; port: number }[]): string {
  const entries = upstreams.map((u) => `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${service}-${u.name}, namespace: default }
spec:
  address: ${u.address}
  ports: { http: ${u.port} }
  labels: { app: ${service}, version: ${u.name} }
`).join('');
  return `---
apiVersion: v1
kind: Service
metadata: { name: ${service}, namespace: default }
spec:
  selector: { app: ${service} }
  ports: [{ name: http, port: 9080 }]
${entries}`;
}

/** The client's Sidecar: one egress listener on `bind`:9080 without capture. */
export function sidecarYaml(bind: string): string {
  return `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: client, namespace: default }
spec:
  workloadSelector: { labels: { app: client } }
  egress:
  - port: { number: 9080, protocol: HTTP, name: http }
    bind: ${bind}
    captureMode: NONE
    hosts: ["./*"]
`;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `meshform-${prefix}-`));
}

/** Writes `text` to `file` atomically (write then rename). */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The upstream's name (from `x-upstream`), or ''. */
  readonly upstream: string;
  readonly ms: number;
}

/** One request over a fresh connection; rejects after `deadlineMs`. */
export function request(address: string, port: number, pathAndQuery: string, headers: Record<string, string> = {}, deadlineMs = 5000): Promise<Reply> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port, path: pathAndQuery, headers: { host: 'reviews:9080', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, upstream: String(res.headers['x-upstream'] ?? ''), ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(deadlineMs, () => req.destroy(new Error(`no answer to ${pathAndQuery} within ${deadlineMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET on the admin port: status and body. */
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

/** The value of `istio_requests_total` series whose labels include every `label="value"` given (summed). */
export function requestsTotal(prometheus: string, labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const line of prometheus.split('\n')) {
    if (!line.startsWith('istio_requests_total{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface Mesh {
  readonly dir: string;
  readonly plane: ControlPlane;
  readonly proxy: ProxyRuntime;
  readonly accessLog: string[];
  /** The egress listener's address. */
  readonly bind: string;
  get(path: string, headers?: Record<string, string>, deadlineMs?: number): Promise<Reply>;
  adminGet(path: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts the control plane on `files` (name → YAML) and a proxy for the client sidecar on `bind`:9080; waits for /ready. */
export async function startMesh(files: Readonly<Record<string, string>>, bind: string, clientIp: string): Promise<Mesh> {
  const dir = tempDir('proxy-e2e');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  let plane: ControlPlane | undefined;
  let proxy: ProxyRuntime | undefined;
  const accessLog: string[] = [];
  const close = async (): Promise<void> => {
    await proxy?.close();
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    plane = await startControlPlane({ configDir: dir, xdsPort: 0, monitoringPort: 0, debounceMs: 20, settleMs: 50, logger: SILENT });
    proxy = await startProxy({
      xdsAddress: `127.0.0.1:${plane.xdsPort}`,
      node: buildProxyNode({ nodeId: `sidecar~${clientIp}~client-0.default~default.svc.cluster.local`, labels: { app: 'client', version: 'v1' }, interceptionMode: 'NONE' }),
      adminPort: 0,
      accessLog: (text) => accessLog.push(...text.split('\n').filter((l) => l !== '')),
      batchAccessLog: false,
      drainTimeoutMs: 1000,
      initialFetchTimeoutMs: 5000,
    });
    await waitForReady(proxy.adminPort);
  } catch (e) {
    await close();
    throw e;
  }
  const adminPort = proxy.adminPort;
  return {
    dir, plane, proxy, accessLog, bind,
    get: (p, headers, deadlineMs) => request(bind, 9080, p, headers, deadlineMs),
    adminGet: (p) => admin(adminPort, p),
    close,
  };
}

/** Resolves once the admin port answers /ready with 200 (async predicate polled with a deadline). */
export async function waitForReady(adminPort: number, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await admin(adminPort, '/ready').catch(() => ({ status: 0, body: '' }));
    if (r.status === 200) return;
    if (Date.now() > end) throw new Error(`proxy not ready within ${deadlineMs} ms (last: ${r.status} ${r.body})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls an async check until it yields a value (not undefined/false), with a deadline. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 5000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
