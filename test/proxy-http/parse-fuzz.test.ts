import * as net from 'net';
import { startProxy, Proxy, until } from './proxy-harness';

/**
 * Bounded, seeded fuzzing of the request-parsing boundary: generated requests,
 * valid and mutated, go through the proxy to a raw upstream. What a client and the
 * upstream may see is asserted for every case; a failing seed is printed.
 */
const SEED = Number(process.env.PROXY_FUZZ_SEED ?? 0x5eed);
const CASES = 300;
const TIME_BUDGET_MS = 15_000;
const CASE_DEADLINE_MS = 3000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'valid' | 'invalid' | 'either';
interface Case {
  readonly id: number;
  readonly kind: Kind;
  readonly mutation: string;
  readonly bytes: Buffer;
  /** For valid cases: the body the upstream must receive. */
  readonly body: Buffer;
}

const TOKENS = ['x-a', 'X-Trace', 'accept', 'user-agent', 'cookie', 'x-forwarded-for', 'x-request-id', 'traceparent'];

function genCase(id: number, rnd: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
  const path = `/f/${id}` + (rnd() < 0.3 ? `?q=${Math.floor(rnd() * 1e6)}&x=%20y` : '');
  const absolute = rnd() < 0.2;
  const target = absolute ? `http://svc-${id}.test:8080${path}` : path;
  const bodyLen = method === 'GET' || method === 'DELETE' ? 0 : Math.floor(rnd() * (rnd() < 0.1 ? 200_000 : 300));
  const body = Buffer.alloc(bodyLen);
  for (let i = 0; i < bodyLen; i++) body[i] = Math.floor(rnd() * 256);
  const chunked = bodyLen > 0 && rnd() < 0.5;
  const headers: [string, string][] = [['Host', `h${id}.test`]];
  const n = Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) headers.push([pick(TOKENS), `v${Math.floor(rnd() * 1e9).toString(36)}`]);
  if (chunked) headers.push([pick(['Transfer-Encoding', 'transfer-encoding', 'TRANSFER-ENCODING']), 'chunked']);
  else if (bodyLen > 0 || rnd() < 0.3) headers.push([pick(['Content-Length', 'content-length']), String(bodyLen)]);
  let framed: Buffer;
  if (chunked) {
    const parts: Buffer[] = [];
    for (let off = 0; off < bodyLen; ) {
      const size = Math.min(bodyLen - off, 1 + Math.floor(rnd() * 5000));
      parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(off, off + size), Buffer.from('\r\n'));
      off += size;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    framed = Buffer.concat(parts);
  } else framed = body;

  let kind: Kind = 'valid';
  let mutation = 'none';
  if (rnd() < 0.5) {
    mutation = pick([
      'cl+te',
      'dup-cl',
      'te-not-final',
      'bad-chunk',
      'space-before-colon',
      'nul-in-value',
      'bad-version',
      'bare-lf',
      'obs-fold',
      'bad-method',
      'huge-header',
      'too-many-headers',
      'truncate',
    ] as const);
    switch (mutation) {
      case 'cl+te':
        headers.push(['Content-Length', String(framed.length)], ['Transfer-Encoding', 'chunked']);
        kind = 'invalid';
        break;
      case 'dup-cl':
        headers.push(['Content-Length', String(bodyLen)], ['Content-Length', String(bodyLen + 1)]);
        kind = 'invalid';
        break;
      case 'te-not-final':
        headers.push(['Transfer-Encoding', 'chunked, identity']);
        kind = 'invalid';
        break;
      case 'bad-chunk':
        if (!chunked) headers.push(['Transfer-Encoding', 'chunked']);
        framed = Buffer.from('zz\r\nabc\r\n0\r\n\r\n');
        kind = 'invalid';
        break;
      case 'space-before-colon':
        headers.push(['X-Bad ', 'v']);
        kind = 'invalid';
        break;
      case 'nul-in-value':
        headers.push(['X-Nul', 'a\u0000b']);
        kind = 'invalid';
        break;
      case 'bad-version':
        kind = 'invalid';
        break;
      case 'bare-lf':
      case 'obs-fold':
        kind = 'either';
        break;
      case 'bad-method':
        kind = 'invalid';
        break;
      case 'huge-header':
        headers.push(['X-Huge', 'h'.repeat(70 * 1024)]);
        kind = 'invalid';
        break;
      case 'too-many-headers':
        for (let i = 0; i < 101; i++) headers.push([`x-m${i}`, '1']);
        kind = 'invalid';
        break;
      case 'truncate':
        kind = 'either';
        break;
    }
  }
  const m = mutation === 'bad-method' ? 'G@T' : method;
  const version = mutation === 'bad-version' ? 'HTTP/7.x' : 'HTTP/1.1';
  const eol = mutation === 'bare-lf' ? '\n' : '\r\n';
  let head = `${m} ${target} ${version}${eol}`;
  for (const [k, v] of headers) head += `${k}: ${v}${eol}`;
  if (mutation === 'obs-fold') head += ` folded${eol}`;
  head += eol;
  let bytes = Buffer.concat([Buffer.from(head, 'latin1'), framed]);
  if (mutation === 'truncate') bytes = bytes.subarray(0, Math.floor(rnd() * bytes.length));
  return { id, kind, mutation, bytes, body };
}

interface Outcome {
  readonly text: string;
  readonly statuses: number[];
  readonly closed: boolean;
}

function send(port: number, c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(parts).toString('latin1');
      resolve({ text, closed, statuses: [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((x) => Number(x[1])) });
    };
    const timer = setTimeout(() => finish(false), CASE_DEADLINE_MS);
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => socket.end(c.bytes));
  });
}

describe('request parsing boundary (seeded fuzz)', () => {
  let upstream: net.Server;
  let upstreamPort = 0;
  /** Raw bytes each upstream connection received. */
  const received: Buffer[][] = [];
  const clientErrors: string[] = [];
  let proxy: Proxy;

  beforeAll(async () => {
    // An echo upstream on node's own strict parser (anything malformed that leaks through shows
    // as a clientError), also recording the raw bytes of every connection.
    const http = await import('http');
    upstream = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const b = Buffer.concat(parts);
        res.setHeader('x-te', String(req.headers['transfer-encoding'] ?? ''));
        res.setHeader('x-cl', String(req.headers['content-length'] ?? ''));
        res.end(b);
      });
    });
    upstream.on('connection', (s: net.Socket) => {
      const mine: Buffer[] = [];
      received.push(mine);
      s.on('data', (d: Buffer) => mine.push(d));
    });
    upstream.on('clientError', (e: NodeJS.ErrnoException, s) => {
      // A connection the proxy abandoned mid-request (client gone) ends early; anything else is a leak.
      if (e.code !== 'ECONNRESET' && e.code !== 'HPE_INVALID_EOF_STATE') clientErrors.push(String(e.code));
      s.destroy();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as net.AddressInfo).port;
    proxy = await startProxy(upstreamPort, { listener: { headersTimeoutMs: 1000, timerResolutionMs: 20 } });
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it(`holds for ${CASES} generated requests (seed ${SEED})`, async () => {
    const rnd = mulberry32(SEED);
    const cases = Array.from({ length: CASES }, (_, i) => genCase(i, rnd));
    const started = Date.now();
    const failures: string[] = [];
    const check = (c: Case, o: Outcome) => {
      const where = `seed ${SEED} case ${c.id} (${c.mutation})`;
      if (!o.closed) failures.push(`${where}: connection neither answered and closed within ${CASE_DEADLINE_MS} ms`);
      if (o.text !== '' && o.statuses.length === 0) failures.push(`${where}: not an HTTP response: ${JSON.stringify(o.text.slice(0, 80))}`);
      if (c.kind === 'valid') {
        if (o.statuses[0] !== 200) failures.push(`${where}: valid request got ${o.statuses.join(',') || 'nothing'}`);
        else {
          const bodyStart = o.text.indexOf('\r\n\r\n') + 4;
          const echoed = Buffer.from(o.text.slice(bodyStart), 'latin1');
          const responseChunked = /^transfer-encoding: chunked/im.test(o.text.slice(0, bodyStart));
          const raw = responseChunked ? dechunk(echoed) : echoed;
          if (!raw.equals(c.body)) failures.push(`${where}: body not byte-exact (${raw.length} vs ${c.body.length})`);
        }
      }
      if (c.kind === 'invalid') {
        if (o.statuses.length !== 1 || ![400, 431].includes(o.statuses[0])) {
          failures.push(`${where}: invalid request got ${o.statuses.join(',') || 'nothing'}`);
        }
      }
    };
    for (let i = 0; i < cases.length && Date.now() - started < TIME_BUDGET_MS; i += 10) {
      const batch = cases.slice(i, i + 10);
      const outcomes = await Promise.all(batch.map((c) => send(proxy.port, c)));
      batch.forEach((c, j) => check(c, outcomes[j]));
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
    // Nothing malformed reached the upstream, and nothing leaked.
    expect(clientErrors).toEqual([]);
    for (const conn of received) {
      const text = Buffer.concat(conn).toString('latin1');
      for (const head of text.split(/\r\n\r\n/).filter((h) => /^[A-Z]+ \/\S* HTTP\/1\.1\r\n/.test(h))) {
        const te = /^transfer-encoding:/im.test(head);
        const cl = /^content-length:/im.test(head);
        expect(te && cl).toBe(false);
      }
    }
    await until(() => proxy.listener.connectionCount === 0, 3000);
    expect(proxy.listener.stats.get('downstream_rq_active')).toBe(0);
  }, 60_000);
});

/** Decodes a chunked body (the echo of a chunked response). */
function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', off);
    if (eol < 0) break;
    const size = parseInt(b.subarray(off, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
