/**
 * The proxy end to end over HTTP/2: a grpc-js client sends to the Sidecar's
 * egress listener (127.0.79.1:9090, port protocol GRPC) with `:authority` set
 * to the service, and the proxy reaches gRPC backends on 127.0.79.x over
 * HTTP/2 (the clusters carry http2_protocol_options). Plus h2c without gRPC
 * (node:http2 client) and HTTP/1.1 on the same listener.
 */
import * as grpc from '@grpc/grpc-js';
import * as http from 'http';
import * as http2 from 'http2';
import * as net from 'net';
import { Mesh, requestsTotal, startMesh } from '../proxy-e2e/harness';
import { unusedPort } from '../support/ports';
import { waitFor } from '../support/wait-for';
import { count, echoClient, GrpcBackend, hello, startGrpcBackend } from './grpc-backend';

const BIND = '127.0.79.1';
const CLIENT = '127.0.79.2';
const PORT = 9090;

function serviceYaml(service: string, portName: string, backends: readonly { name: string; address: string; port: number }[]): string {
  const entries = backends.map((b) => `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${service}-${b.name}, namespace: default }
spec:
  address: ${b.address}
  ports: { ${portName}: ${b.port} }
  labels: { app: ${service}, version: ${b.name} }
`).join('');
  return `---
apiVersion: v1
kind: Service
metadata: { name: ${service}, namespace: default }
spec:
  selector: { app: ${service} }
  ports: [{ name: ${portName}, port: ${PORT} }]
${entries}`;
}

const SIDECAR = `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: client, namespace: default }
spec:
  workloadSelector: { labels: { app: client } }
  egress:
  - port: { number: ${PORT}, protocol: GRPC, name: grpc }
    bind: ${BIND}
    captureMode: NONE
    hosts: ["./*"]
`;

const POLICIES = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo, namespace: default }
spec:
  host: echo
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: echo, namespace: default }
spec:
  hosts: [echo]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: echo, subset: v2 } }]
  - route: [{ destination: { host: echo, subset: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: split, namespace: default }
spec:
  host: split
  subsets: [{ name: a, labels: { version: a } }, { name: b, labels: { version: b } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: split, namespace: default }
spec:
  hosts: [split]
  http:
  - route:
    - { destination: { host: split, subset: a }, weight: 75 }
    - { destination: { host: split, subset: b }, weight: 25 }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: faulty, namespace: default }
spec:
  hosts: [faulty]
  http:
  - fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }
    route: [{ destination: { host: faulty } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: denied, namespace: default }
spec:
  hosts: [denied]
  http:
  - fault: { abort: { grpcStatus: PERMISSION_DENIED, percentage: { value: 100 } } }
    route: [{ destination: { host: denied } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: flaky, namespace: default }
spec:
  hosts: [flaky]
  http:
  - route: [{ destination: { host: flaky } }]
    retries: { attempts: 3, retryOn: unavailable }
`;

/**
 * A plain h2c backend: answers `{ backend, path, protocol }` with a trailer
 * `x-done: yes` when asked with te: trailers; resets the stream (INTERNAL_ERROR)
 * of a request for `/reset`.
 */
async function startPlainH2(address: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] === '/reset') {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = JSON.stringify({ backend: 'plain', path: headers[':path'], received: Buffer.concat(chunks).toString('utf8') });
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-upstream': 'plain' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-done': 'yes' }));
      stream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('proxy HTTP/2 and gRPC through a Sidecar egress listener', () => {
  const backends: GrpcBackend[] = [];
  const clients: grpc.Client[] = [];
  let plain: { port: number; close(): Promise<void> } | undefined;
  let mesh: Mesh | undefined;

  beforeAll(async () => {
    const v1 = await startGrpcBackend('v1', '127.0.79.11');
    const v2 = await startGrpcBackend('v2', '127.0.79.12');
    const a = await startGrpcBackend('a', '127.0.79.13');
    const b = await startGrpcBackend('b', '127.0.79.14');
    const faulty = await startGrpcBackend('faulty', '127.0.79.15');
    const denied = await startGrpcBackend('denied', '127.0.79.16');
    const flaky = await startGrpcBackend('flaky', '127.0.79.17');
    backends.push(v1, v2, a, b, faulty, denied, flaky);
    plain = await startPlainH2('127.0.79.19');
    const dead = await unusedPort('127.0.79.18');
    mesh = await startMesh({
      'services.yaml': serviceYaml('echo', 'grpc', [v1, v2]) + serviceYaml('split', 'grpc', [a, b]) + serviceYaml('faulty', 'grpc', [faulty])
        + serviceYaml('denied', 'grpc', [denied]) + serviceYaml('flaky', 'grpc', [flaky])
        + serviceYaml('dead', 'grpc', [{ name: 'dead', address: '127.0.79.18', port: dead }])
        + serviceYaml('plain', 'http2', [{ name: 'plain', address: '127.0.79.19', port: plain.port }]),
      'sidecar.yaml': SIDECAR,
      'policies.yaml': POLICIES,
    }, BIND, CLIENT);
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await mesh?.close();
    await Promise.all(backends.map((b) => b.close()));
    await plain?.close();
  });

  const client = (service: string): grpc.Client => {
    const c = echoClient(`${BIND}:${PORT}`, `${service}:${PORT}`);
    clients.push(c);
    return c;
  };
  const prometheus = async (): Promise<string> => (await mesh!.adminGet('/stats/prometheus')).body;

  test('a unary call reaches the default subset, trailers included', async () => {
    const r = await hello(client('echo'), 'hi');
    expect(r.error).toBeUndefined();
    expect(r.reply).toEqual({ backend: 'v1', text: 'hi', endUser: '' });
    expect(r.trailers?.get('x-backend')).toEqual(['v1']);
  });

  test('a server-streaming call delivers every message', async () => {
    const r = await count(client('echo'), 50);
    expect(r.error).toBeUndefined();
    expect(r.items.map((x) => x.i)).toEqual([...Array(50).keys()]);
    expect(new Set(r.items.map((x) => x.backend))).toEqual(new Set(['v1']));
  });

  test('metadata end-user: jason routes to v2', async () => {
    const c = client('echo');
    const r = await hello(c, 'hi', { 'end-user': 'jason' });
    expect(r.reply?.backend).toBe('v2');
    expect(r.reply?.endUser).toBe('jason');
    expect((await hello(c, 'hi', { 'end-user': 'someone' })).reply?.backend).toBe('v1');
  });

  test('a 75/25 weighted split holds within tolerance', async () => {
    const c = client('split');
    const n = 200;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => hello(c, String(i))));
    const a = replies.filter((r) => r.reply?.backend === 'a').length;
    const b = replies.filter((r) => r.reply?.backend === 'b').length;
    expect(a + b).toBe(n);
    expect(a / n).toBeGreaterThan(0.62);
    expect(a / n).toBeLessThan(0.88);
  });

  test('a fault abort with httpStatus 503 is UNAVAILABLE to a gRPC client', async () => {
    const r = await hello(client('faulty'), 'hi');
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(backends.find((b) => b.name === 'faulty')?.calls).toBe(0);
    await waitFor(() => mesh!.accessLog.some((l) => / 200 FI .*faulty/.test(l)), 2000, 'the FI access-log line');
  });

  test('a fault abort with grpcStatus answers that status', async () => {
    const r = await hello(client('denied'), 'hi');
    expect(r.error?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  test('retries on unavailable succeed against a flaky backend', async () => {
    const r = await hello(client('flaky'), 'hi', { key: 'k1', 'fail-times': '2' });
    expect(r.error).toBeUndefined();
    expect(r.reply?.backend).toBe('flaky');
    const stats = (await mesh!.adminGet('/stats?filter=flaky')).body;
    expect(stats).toMatch(/cluster\.outbound\|9090\|\|flaky\.default\.svc\.cluster\.local\.upstream_rq_retry: 2\n/);
  });

  test('a backend that is down answers UNAVAILABLE before the deadline', async () => {
    const started = Date.now();
    const r = await hello(client('dead'), 'hi', {}, 4000);
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('istio_requests_total counts gRPC requests with request_protocol="grpc"', async () => {
    await hello(client('echo'), 'counted');
    const prom = await prometheus();
    expect(requestsTotal(prom, { destination_service_name: 'echo', request_protocol: 'grpc', response_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(requestsTotal(prom, { destination_service_name: 'faulty', request_protocol: 'grpc', response_flags: 'FI' })).toBeGreaterThanOrEqual(1);
  });

  test('an h2c request (not gRPC) is proxied to an HTTP/2 backend, trailers included', async () => {
    const session = http2.connect(`http://${BIND}:${PORT}`);
    try {
      const result = await new Promise<{ status: number; body: string; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/plain?x=1', ':authority': `plain:${PORT}`, te: 'trailers' });
        let status = 0;
        let body = '';
        let trailers: http2.IncomingHttpHeaders = {};
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('trailers', (t) => (trailers = t));
        req.setEncoding('utf8');
        req.on('data', (d: string) => (body += d));
        req.on('end', () => resolve({ status, body, trailers }));
        req.on('error', reject);
        req.end('payload');
      });
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ backend: 'plain', path: '/plain?x=1', received: 'payload' });
      expect(result.trailers['x-done']).toBe('yes');
    } finally {
      session.close();
    }
  });

  test('an HTTP/2 backend resetting the stream answers 503 with response flag UR', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: BIND, port: PORT, path: '/reset', headers: { host: `plain:${PORT}` }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('reset reason: remote reset');
    await waitFor(() => mesh!.accessLog.some((l) => / 503 UR .*\/reset/.test(l) || /\/reset.* 503 UR /.test(l)), 2000, 'the UR access-log line');
    const prom = await prometheus();
    expect(requestsTotal(prom, { destination_service_name: 'plain', response_code: '503', response_flags: 'UR' })).toBeGreaterThanOrEqual(1);
  });

  test('HTTP/1.1 on the same listener still works (to an HTTP/2 backend)', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: BIND, port: PORT, method: 'POST', path: '/h1', headers: { host: `plain:${PORT}` }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('one,');
      req.end('two');
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ backend: 'plain', path: '/h1', received: 'one,two' });
  });
});
