import { rawExchange, request, startProxy, startUpstream, statuses, Upstream, Proxy } from './proxy-harness';

describe('proxy header handling', () => {
  let upstream: Upstream;
  let proxy: Proxy;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/hop-response') {
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('Connection', 'X-Resp-Hop');
        res.setHeader('X-Resp-Hop', 'secret');
        res.setHeader('X-Kept', 'yes');
      }
      res.end('ok');
    });
    proxy = await startProxy(upstream.port);
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  const last = () => upstream.seen[upstream.seen.length - 1];

  it('removes hop-by-hop request headers, including those the Connection header names', async () => {
    const res = await rawExchange(
      proxy.port,
      'GET /hop HTTP/1.1\r\nHost: a\r\nConnection: X-Private, keep-alive\r\nX-Private: 1\r\nKeep-Alive: timeout=9\r\n' +
        'Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Public: 2\r\n\r\n',
      { until: (t) => t.endsWith('ok') },
    );
    expect(statuses(res.text)).toEqual([200]);
    const names = last().rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const hop of ['connection', 'x-private', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']) {
      expect(names).not.toContain(hop);
    }
    expect(last().headers['x-public']).toBe('2');
  });

  it('removes hop-by-hop response headers and keeps the others', async () => {
    const r = await request(proxy.port, { path: '/hop-response' });
    expect(r.headers['keep-alive']).toBeUndefined();
    expect(r.headers['x-resp-hop']).toBeUndefined();
    expect(r.headers['x-kept']).toBe('yes');
  });

  it('appends the client address to x-forwarded-for and sets x-forwarded-proto', async () => {
    await request(proxy.port, { path: '/xff', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(last().headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(last().headers['x-forwarded-proto']).toBe('http');
    await request(proxy.port, { path: '/xff2' });
    expect(last().headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('generates a UUID-shaped x-request-id when absent, distinct per request, and logs it', async () => {
    await request(proxy.port, { path: '/rid/1' });
    const first = last().headers['x-request-id'] as string;
    await request(proxy.port, { path: '/rid/2' });
    const second = last().headers['x-request-id'] as string;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
    const e = await proxy.waitForLog((l) => l.path === '/rid/2');
    expect(e.requestId).toBe(second);
  });

  it('propagates a client x-request-id unchanged', async () => {
    await request(proxy.port, { path: '/rid/mine', headers: { 'x-request-id': 'abc-123' } });
    expect(last().headers['x-request-id']).toBe('abc-123');
    expect(last().rawHeaders.filter((h) => h.toLowerCase() === 'x-request-id')).toHaveLength(1);
  });

  it('passes trace headers (W3C traceparent/tracestate, B3) through untouched', async () => {
    const trace = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=opaque',
      'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124',
      'x-b3-spanid': 'a2fb4a1d1a96d312',
      'x-b3-sampled': '1',
      b3: '463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1',
    };
    await request(proxy.port, { path: '/trace', headers: trace });
    for (const [k, v] of Object.entries(trace)) expect(last().headers[k]).toBe(v);
  });

  it('sends the request line in origin form with the Host of the request', async () => {
    await request(proxy.port, { path: '/host?x=1', headers: { host: 'reviews.default.svc:9080' } });
    expect(last().url).toBe('/host?x=1');
    expect(last().headers.host).toBe('reviews.default.svc:9080');
  });
});
