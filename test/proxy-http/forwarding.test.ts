import { createHash, randomBytes } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { rawExchange, request, startProxy, startUpstream, statuses, Upstream, Proxy } from './proxy-harness';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('proxy forwarding', () => {
  let upstream: Upstream;
  let proxy: Proxy;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url.startsWith('/echo')) {
        // Stream the body back in 64 KiB writes, without a content-length (chunked to the proxy).
        res.setHeader('x-body-sha', sha(req.body));
        for (let i = 0; i < req.body.length; i += 65536) res.write(req.body.subarray(i, i + 65536));
        res.end();
        return;
      }
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} ${req.body.length}`);
    });
    proxy = await startProxy(upstream.port);
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('forwards a GET and returns the upstream response', async () => {
    const r = await request(proxy.port, { path: '/hello?x=1' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('GET /hello?x=1 0');
    expect(r.headers['content-type']).toBe('text/plain');
  });

  it('streams a 4 MiB content-length POST body and a chunked 4 MiB response byte-exact', async () => {
    const body = randomBytes(4 * 1024 * 1024);
    const r = await request(proxy.port, { method: 'POST', path: '/echo', body, headers: { 'content-length': body.length } });
    expect(r.status).toBe(200);
    expect(r.headers['x-body-sha']).toBe(sha(body));
    expect(r.body.length).toBe(body.length);
    expect(sha(r.body)).toBe(sha(body));
  });

  it('streams a chunked POST body of many pieces byte-exact', async () => {
    const pieces = Array.from({ length: 64 }, (_, i) => randomBytes(1000 + i * 997));
    const all = Buffer.concat(pieces);
    const r = await request(proxy.port, { method: 'POST', path: '/echo', body: pieces });
    expect(r.status).toBe(200);
    expect(r.headers['x-body-sha']).toBe(sha(all));
    expect(sha(r.body)).toBe(sha(all));
    const seen = upstream.seen[upstream.seen.length - 1];
    expect(seen.headers['transfer-encoding']).toBe('chunked');
  });

  it('reuses one upstream connection for sequential keep-alive requests', async () => {
    const before = upstream.connections();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) {
      const r = await request(proxy.port, { path: `/ka/${i}`, agent });
      expect(r.body.toString()).toBe(`GET /ka/${i} 0`);
    }
    agent.destroy();
    expect(upstream.connections() - before).toBeLessThanOrEqual(1);
    expect(proxy.listener.stats.get('downstream_cx_total')).toBeGreaterThan(0);
  });

  it('accepts an absolute-form target: origin-form path and its authority go upstream', async () => {
    const res = await rawExchange(proxy.port, 'GET http://svc.example.test:8080/abs/path?q=1 HTTP/1.1\r\nHost: ignored.example\r\n\r\n', {
      until: (t) => t.includes('GET /abs/path?q=1 0'),
    });
    expect(statuses(res.text)).toEqual([200]);
    const seen = upstream.seen[upstream.seen.length - 1];
    expect(seen.url).toBe('/abs/path?q=1');
    expect(seen.headers.host).toBe('svc.example.test:8080');
    expect(proxy.heads[proxy.heads.length - 1].authority).toBe('svc.example.test:8080');
  });

  it('answers pipelined requests in order', async () => {
    const reqs = ['/p/1', '/p/2', '/p/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: a\r\n\r\n`).join('');
    const res = await rawExchange(proxy.port, reqs, { until: (t) => t.includes('GET /p/3 0') });
    const order = [...res.text.matchAll(/GET (\/p\/\d) 0/g)].map((m) => m[1]);
    expect(order).toEqual(['/p/1', '/p/2', '/p/3']);
  });

  it('passes Expect: 100-continue through and relays the interim response', async () => {
    const head = 'POST /continue HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n';
    let sentBody = false;
    const socket = await new Promise<net.Socket>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: proxy.port }, () => resolve(s));
    });
    const text = await new Promise<string>((resolve) => {
      let t = '';
      socket.on('data', (d: Buffer) => {
        t += d.toString('latin1');
        if (!sentBody && t.startsWith('HTTP/1.1 100 Continue\r\n')) {
          sentBody = true;
          socket.write('hello');
        }
        if (t.includes('POST /continue 5')) resolve(t);
      });
      socket.write(head);
    });
    socket.destroy();
    expect(sentBody).toBe(true);
    expect(statuses(text)).toEqual([100, 200]);
  });

  it('answers a route without a match locally with 404 and the NR flag', async () => {
    const r = await request(proxy.port, { path: '/nr/missing' });
    expect(r.status).toBe(404);
    const e = await proxy.waitForLog((l) => l.path === '/nr/missing');
    expect(e.flags).toBe('NR');
  });

  it('answers HEAD without a body and keeps the connection usable', async () => {
    const res = await rawExchange(proxy.port, 'HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /after-head HTTP/1.1\r\nHost: a\r\n\r\n', {
      until: (t) => t.includes('GET /after-head 0'),
    });
    expect(statuses(res.text)).toEqual([200, 200]);
  });

  it('answers an HTTP/1.0 client with a close-delimited body when the upstream chunks, then closes', async () => {
    const res = await rawExchange(proxy.port, 'POST /echo HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello', { deadlineMs: 2000 });
    expect(res.closed).toBe(true);
    expect(statuses(res.text)).toEqual([200]);
    expect(res.text).not.toMatch(/transfer-encoding/i);
    expect(res.text.endsWith('\r\n\r\nhello')).toBe(true);
  });

  it('keeps an HTTP/1.0 keep-alive connection open and says so', async () => {
    const res = await rawExchange(proxy.port, 'GET /ka10 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { until: (t) => t.endsWith('GET /ka10 0') });
    expect(res.closed).toBe(false);
    expect(res.text).toMatch(/connection: keep-alive/i);
  });
});
