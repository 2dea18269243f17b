import { rawExchange, startProxy, startUpstream, statuses, Upstream, Proxy } from './proxy-harness';

describe('proxy request defences', () => {
  let upstream: Upstream;
  let proxy: Proxy;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startProxy(upstream.port, {
      listener: { headersTimeoutMs: 300, idleTimeoutMs: 400, timerResolutionMs: 20, maxHeaderBytes: 60 * 1024, maxHeaderCount: 100 },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  /** Sends `raw`, expects one `status` answer and a closed connection, and nothing forwarded. */
  async function rejected(raw: string, status: number): Promise<void> {
    const before = upstream.seen.length;
    const res = await rawExchange(proxy.port, raw, { deadlineMs: 2000 });
    expect(statuses(res.text)).toEqual([status]);
    expect(res.text).toMatch(/connection: close/i);
    expect(res.closed).toBe(true);
    expect(upstream.seen.length).toBe(before);
  }

  it('rejects Content-Length together with Transfer-Encoding with 400 and closes (smuggling)', async () => {
    await rejected('POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400);
    await rejected('POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n', 400);
    expect(proxy.listener.stats.get('downstream_cx_protocol_error')).toBeGreaterThanOrEqual(2);
  });

  it('rejects duplicate conflicting Content-Length with 400 and closes', async () => {
    await rejected('POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde', 400);
  });

  it('rejects a Transfer-Encoding that does not end in chunked with 400', async () => {
    await rejected('POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc', 400);
  });

  it('rejects malformed chunking with 400 and closes', async () => {
    const res = await rawExchange(proxy.port, 'POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', {
      deadlineMs: 2000,
    });
    expect(statuses(res.text)).toEqual([400]);
    expect(res.closed).toBe(true);
  });

  it('does not let a smuggled second request reach the upstream', async () => {
    const before = upstream.seen.length;
    const res = await rawExchange(
      proxy.port,
      'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n',
      { deadlineMs: 2000 },
    );
    expect(statuses(res.text)).toEqual([400]);
    expect(upstream.seen.slice(before).map((r) => r.url)).not.toContain('/smuggled');
  });

  it('answers 431 to more than 100 headers', async () => {
    let raw = 'GET /many HTTP/1.1\r\nHost: a\r\n';
    for (let i = 0; i < 101; i++) raw += `X-H${i}: v\r\n`;
    await rejected(raw + '\r\n', 431);
    expect(proxy.listener.stats.get('downstream_rq_too_large_headers')).toBeGreaterThanOrEqual(1);
  });

  it('accepts exactly 100 headers', async () => {
    let raw = 'GET /hundred HTTP/1.1\r\nHost: a\r\n';
    for (let i = 0; i < 99; i++) raw += `X-H${i}: v\r\n`;
    const res = await rawExchange(proxy.port, raw + '\r\n', { until: (t) => t.endsWith('ok') });
    expect(statuses(res.text)).toEqual([200]);
  });

  it('answers 431 to a head larger than 60 KiB', async () => {
    await rejected(`GET /big HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(61 * 1024)}\r\n\r\n`, 431);
  });

  it('answers 408 and closes a connection whose head trickles in too slowly (slowloris)', async () => {
    const net = await import('net');
    const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
    const start = Date.now();
    let text = '';
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write('GET /slow HTTP/1.1\r\n');
    // Keep sending a byte every 50 ms: activity must not extend the header deadline.
    const drip = setInterval(() => socket.write('X'), 50);
    await closed;
    clearInterval(drip);
    const elapsed = Date.now() - start;
    expect(statuses(text)).toEqual([408]);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(proxy.listener.stats.get('downstream_rq_header_timeout')).toBeGreaterThanOrEqual(1);
  });

  it('closes an idle keep-alive connection after the idle timeout', async () => {
    const res = await rawExchange(proxy.port, 'GET /idle HTTP/1.1\r\nHost: a\r\n\r\n', { deadlineMs: 3000 });
    expect(statuses(res.text)).toEqual([200]);
    expect(res.closed).toBe(true);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(350);
    expect(proxy.listener.stats.get('downstream_cx_idle_timeout')).toBeGreaterThanOrEqual(1);
  });

  it('rejects a request whose target is neither origin nor absolute form with 400', async () => {
    await rejected('GET ftp://x/y HTTP/1.1\r\nHost: a\r\n\r\n', 400);
  });
});
