import * as net from 'net';
import { ThresholdLimits } from '../../runtime/proxy/upstream';
import { unusedPort } from '../support/ports';
import { rawExchange, request, startProxy, startUpstream, statuses, until } from './proxy-harness';

describe('proxy upstream failures', () => {
  it('answers 503 with the UF flag, without hanging, when the upstream refuses connections', async () => {
    const proxy = await startProxy(await unusedPort(), { pool: { connectTimeoutMs: 1000 } });
    try {
      const start = Date.now();
      const results = await Promise.all([1, 2, 3].map((i) => request(proxy.port, { path: `/uf/${i}` })));
      expect(Date.now() - start).toBeLessThan(2000);
      for (const r of results) {
        expect(r.status).toBe(503);
        expect(r.body.toString()).toContain('connection failure');
      }
      const e = await proxy.waitForLog((l) => l.path === '/uf/1');
      expect(e.flags).toBe('UF');
      expect(proxy.listener.stats.flagCount('UF')).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('answers 504 with the UT flag when the upstream does not answer within the route timeout', async () => {
    const upstream = await startUpstream(() => undefined /* never answers */);
    const proxy = await startProxy(upstream.port, { timeoutMs: 200, listener: { timerResolutionMs: 20 } });
    try {
      const start = Date.now();
      const r = await request(proxy.port, { path: '/slow' });
      const elapsed = Date.now() - start;
      expect(r.status).toBe(504);
      expect(r.body.toString()).toBe('upstream request timeout');
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(1500);
      expect((await proxy.waitForLog((l) => l.path === '/slow')).flags).toBe('UT');
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('counts a client that disconnects mid-request as DC and frees the upstream', async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy(upstream.port);
    try {
      const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
      await new Promise<void>((r) => socket.on('connect', () => r()));
      socket.write('POST /dc HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
      await until(() => proxy.heads.some((h) => h.path === '/dc'));
      const entry = proxy.waitForLog((l) => l.path === '/dc');
      socket.destroy();
      const e = await entry;
      expect(e.flags).toBe('DC');
      expect(e.status).toBe(0);
      expect(proxy.listener.stats.get('downstream_rq_rx_reset')).toBe(1);
      expect(proxy.listener.stats.flagCount('DC')).toBe(1);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('answers 503 UC when the upstream closes the connection before responding', async () => {
    const server = net.createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const proxy = await startProxy((server.address() as net.AddressInfo).port);
    try {
      const r = await request(proxy.port, { path: '/uc' });
      expect(r.status).toBe(503);
      expect(r.body.toString()).toContain('connection termination');
      expect((await proxy.waitForLog((l) => l.path === '/uc')).flags).toBe('UC');
    } finally {
      await proxy.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('resets the client when the upstream dies after the response started', async () => {
    const server = net.createServer((s) =>
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => s.destroy(), 20);
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const proxy = await startProxy((server.address() as net.AddressInfo).port);
    try {
      const res = await rawExchange(proxy.port, 'GET /mid HTTP/1.1\r\nHost: a\r\n\r\n', { deadlineMs: 2000 });
      expect(res.closed).toBe(true);
      expect(res.text.startsWith('HTTP/1.1 200 OK')).toBe(true);
      expect((await proxy.waitForLog((l) => l.path === '/mid')).flags).toBe('UC');
    } finally {
      await proxy.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('answers 503 UO when the pool limits admit neither a connection nor a pending request', async () => {
    const upstream = await startUpstream(() => undefined);
    const limits = new ThresholdLimits({ maxConnections: 1, maxPendingRequests: 1 });
    const proxy = await startProxy(upstream.port, { pool: { limits }, timeoutMs: 300, listener: { timerResolutionMs: 20 } });
    try {
      const first = request(proxy.port, { path: '/held/1' });
      await until(() => upstream.seen.length === 1);
      const second = request(proxy.port, { path: '/held/2' });
      await until(() => proxy.pool.pendingRequests === 1);
      const third = await request(proxy.port, { path: '/held/3' });
      expect(third.status).toBe(503);
      expect((await proxy.waitForLog((l) => l.path === '/held/3')).flags).toBe('UO');
      expect((await first).status).toBe(504);
      expect((await second).status).toBe(504);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('does not reuse a keep-alive connection the upstream closed: the next request gets a fresh one', async () => {
    let n = 0;
    const server = net.createServer((s) => {
      n++;
      s.on('data', () => {
        // Answer one request per connection, then close it without saying so.
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const proxy = await startProxy((server.address() as net.AddressInfo).port);
    try {
      const a = await request(proxy.port, { path: '/r/1' });
      await until(() => proxy.pool.idleConnections === 0);
      const b = await request(proxy.port, { path: '/r/2' });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(n).toBe(2);
      expect(statuses((await rawExchange(proxy.port, 'GET /r/3 HTTP/1.1\r\nHost: a\r\n\r\n', { until: (t) => t.endsWith('ok') })).text)).toEqual([200]);
    } finally {
      await proxy.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('proxy upstream connection hygiene', () => {
  it('drops a pooled connection on which the upstream sends bytes nobody asked for', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.on('data', () => {
        // A response, then a second, unsolicited one.
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setImmediate(() => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const proxy = await startProxy((server.address() as net.AddressInfo).port);
    try {
      expect((await request(proxy.port, { path: '/u/1' })).body.toString()).toBe('ok');
      await until(() => proxy.pool.idleConnections === 0);
      const second = await request(proxy.port, { path: '/u/2' });
      expect(second.body.toString()).toBe('ok');
      expect(connections).toBe(2);
    } finally {
      await proxy.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
