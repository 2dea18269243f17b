/**
 * The HTTP/2 pieces alone: preface detection, chunked-body decoding, gRPC
 * local-reply mapping, request-head translation, and the HTTP/2 session pool
 * (stream limits, GOAWAY, refused connections) against a node:http2 server.
 */
import * as http2 from 'http2';
import * as net from 'net';
import { classifyPreface, encodeGrpcMessage, grpcLocalReply, httpToGrpcStatus } from '../../runtime/proxy/http2';
import { ChunkedDecoder, H2EndpointPool, h2RequestHead } from '../../runtime/proxy/upstream-h2';
import { ThresholdLimits, UpstreamConnection, UpstreamResetReason, UpstreamUser } from '../../runtime/proxy/upstream';
import { waitFor } from '../support/wait-for';

describe('preface detection', () => {
  test('the HTTP/2 preface, a prefix of it, and HTTP/1', () => {
    expect(classifyPreface(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0'))).toBe('h2');
    expect(classifyPreface(Buffer.from('PRI * HT'))).toBe('more');
    expect(classifyPreface(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('h1');
    expect(classifyPreface(Buffer.from('PRIX'))).toBe('h1');
  });
});

describe('ChunkedDecoder', () => {
  test('decodes chunks split anywhere, with extensions and trailers', () => {
    const framed = Buffer.from('5;x=y\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nx-t: 1\r\n\r\n');
    for (let cut = 1; cut < framed.length; cut++) {
      const d = new ChunkedDecoder();
      const out: Buffer[] = [];
      expect(d.push(framed.subarray(0, cut), (b) => out.push(Buffer.from(b)))).toBe(true);
      expect(d.push(framed.subarray(cut), (b) => out.push(Buffer.from(b)))).toBe(true);
      expect(Buffer.concat(out).toString()).toBe('hello 0123456789');
      expect(d.done).toBe(true);
    }
  });

  test('rejects a size line that is not hex', () => {
    expect(new ChunkedDecoder().push(Buffer.from('zz\r\n'), () => undefined)).toBe(false);
  });
});

describe('gRPC local replies', () => {
  test('HTTP statuses map to gRPC codes as gRPC specifies', () => {
    expect([400, 401, 403, 404, 429, 502, 503, 504, 500].map(httpToGrpcStatus)).toEqual([13, 16, 7, 12, 14, 14, 14, 14, 2]);
  });

  test('a 503 becomes a trailers-only 200 with grpc-status 14 and an encoded message', () => {
    expect(grpcLocalReply(503, 'no healthy upstream')).toEqual({
      ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'no healthy upstream',
    });
    expect(encodeGrpcMessage('100% ok\n')).toBe('100%25 ok%0A');
  });
});

describe('request head translation', () => {
  test('Host becomes :authority, hop-by-hop fields go, te: trailers stays for gRPC', () => {
    const h = h2RequestHead('POST /svc/M HTTP/1.1\r\nhost: echo:9090\r\ncontent-type: application/grpc\r\nconnection: keep-alive, x-hop\r\nx-hop: 1\r\nte: trailers\r\ntransfer-encoding: chunked\r\nx-a: 1\r\nx-a: 2\r\n\r\n', 'http');
    expect(h.framing).toBe('chunked');
    expect(h.headers).toEqual({
      ':method': 'POST', ':path': '/svc/M', ':scheme': 'http', ':authority': 'echo:9090',
      'content-type': 'application/grpc', 'x-a': ['1', '2'], te: 'trailers',
    });
    expect(h2RequestHead('GET / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\n\r\n', 'http')).toMatchObject({ framing: 'length', contentLength: 3 });
  });
});

/** A user that sends one GET and collects the answer. */
class TestUser implements UpstreamUser {
  status = 0;
  body = '';
  ended = false;
  failure: UpstreamResetReason | null = null;
  conn: UpstreamConnection | null = null;
  constructor(private readonly pool: H2EndpointPool, private readonly path: string) {}
  onUpstreamReady(conn: UpstreamConnection): void {
    this.conn = conn;
    conn.write(`GET ${this.path} HTTP/1.1\r\nhost: t\r\n\r\n`, 'latin1');
  }
  onUpstreamFailure(reason: UpstreamResetReason): void {
    this.failure = reason;
  }
  onResponseHead(status: number): boolean {
    this.status = status;
    return false;
  }
  onResponseBody(chunk: Buffer): void {
    this.body += chunk.toString();
  }
  onResponseEnd(): void {
    this.ended = true;
    if (this.conn !== null) this.pool.release(this.conn, true);
  }
  onUpstreamReset(reason: UpstreamResetReason): void {
    this.failure = reason;
  }
  onUpstreamDrain(): void {}
}

describe('H2EndpointPool', () => {
  let server: http2.Http2Server;
  let port = 0;
  const held: http2.ServerHttp2Stream[] = [];
  let sessions = 0;
  let goAwayAfterFirst = false;
  const pools: H2EndpointPool[] = [];
  const serverSessions = new Set<http2.ServerHttp2Session>();

  beforeEach(async () => {
    sessions = 0;
    goAwayAfterFirst = false;
    server = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
    server.on('session', (s) => {
      sessions++;
      serverSessions.add(s);
      s.on('close', () => serverSessions.delete(s));
    });
    server.on('stream', (stream, headers) => {
      if (headers[':path'] === '/hold') {
        held.push(stream);
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end(String(headers[':path']));
      if (goAwayAfterFirst) stream.session?.goaway();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    for (const p of pools.splice(0)) p.close();
    for (const s of held.splice(0)) if (!s.closed) s.close();
    for (const s of serverSessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const newPool = (props: ConstructorParameters<typeof H2EndpointPool>[1] = {}): H2EndpointPool => {
    const p = new H2EndpointPool({ host: '127.0.0.1', port }, props);
    pools.push(p);
    return p;
  };

  test('many requests share one session; max_concurrent_streams makes the next wait', async () => {
    const pool = newPool({ maxConcurrentStreams: 1, limits: new ThresholdLimits({ maxConnections: 1 }) });
    const holder = new TestUser(pool, '/hold');
    pool.acquire(holder);
    await waitFor(() => held.length === 1, 2000, 'the held stream');
    const next = new TestUser(pool, '/next');
    pool.acquire(next);
    expect(pool.pendingRequests).toBe(1);
    held[0]!.respond({ ':status': 204 }, { endStream: true });
    await waitFor(() => next.ended, 2000, 'the queued request');
    expect(next.body).toBe('/next');
    expect(holder.status).toBe(204);
    expect(sessions).toBe(1);
  });

  test('after a GOAWAY new requests go to a new session', async () => {
    goAwayAfterFirst = true;
    const pool = newPool();
    const first = new TestUser(pool, '/1');
    pool.acquire(first);
    await waitFor(() => first.ended, 2000, 'the first answer');
    await waitFor(() => pool.sessionCount === 0, 2000, 'the drained session closed');
    const second = new TestUser(pool, '/2');
    pool.acquire(second);
    await waitFor(() => second.ended || second.failure !== null, 2000, 'the second answer');
    expect(second.body).toBe('/2');
    expect(sessions).toBe(2);
  });

  test('a refused connection fails the waiting request with connect-failure', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const pool = new H2EndpointPool({ host: '127.0.0.1', port: deadPort });
    pools.push(pool);
    const user = new TestUser(pool, '/');
    pool.acquire(user);
    await waitFor(() => user.failure !== null, 2000, 'the failure');
    expect(user.failure).toBe('connect-failure');
  });
});
