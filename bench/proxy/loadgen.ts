/**
 * Open-loop fixed-rate HTTP/1.1 load over raw keep-alive sockets (wrk2 is not in
 * Debian; `hey -q` is closed-loop per worker). Requests are sent on a fixed
 * schedule whatever the responses do; a new connection is opened when every open
 * one is busy, so requests never wait for a connection. Latency is measured from
 * the moment a request is written to the last byte of its response; exact
 * percentiles come from the sorted samples. How late the generator itself was
 * against its schedule is reported too (`maxLagMs`).
 *
 *   node lib/bench/proxy/loadgen.js --url http://127.0.0.1:18083/1k.bin --rate 1000 --seconds 10
 */
import * as net from 'net';
import { performance } from 'perf_hooks';

export interface LoadResult {
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  readonly connections: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly maxLagMs: number;
}

class Conn {
  readonly socket: net.Socket;
  busy = false;
  sentAt = 0;
  private buf = '';
  private need = -1;
  private got = 0;
  private okStatus = false;

  constructor(host: string, port: number, private readonly done: (c: Conn, outcome: 'ok' | 'bad-status' | 'closed') => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => this.onData(d));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      if (this.busy) {
        this.busy = false;
        this.done(this, 'closed');
      }
    });
  }

  private onData(d: string): void {
    if (this.need < 0) {
      this.buf += d;
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /content-length:\s*(\d+)/i.exec(this.buf.slice(0, end));
      this.need = m === null ? 0 : Number(m[1]);
      this.okStatus = this.buf.startsWith('HTTP/1.1 200 ');
      this.got = this.buf.length - end - 4;
      this.buf = '';
    } else this.got += d.length;
    if (this.got >= this.need) {
      this.need = -1;
      this.got = 0;
      this.busy = false;
      this.done(this, this.okStatus ? 'ok' : 'bad-status');
    }
  }
}

/** `hostHeader` replaces the URL's host:port in the Host header (a mesh proxy routes by it). */
export function runFixedRate(url: string, rate: number, seconds: number, hostHeader?: string): Promise<LoadResult> {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port);
  const request = `GET ${u.pathname} HTTP/1.1\r\nHost: ${hostHeader ?? u.host}\r\nUser-Agent: meshform-loadgen\r\n\r\n`;
  const total = Math.round(rate * seconds);
  const samples = new Float64Array(total);
  let completed = 0;
  let errors = 0;
  let sent = 0;
  let maxLag = 0;
  const idle: Conn[] = [];
  const all: Conn[] = [];
  return new Promise((resolve) => {
    const onDone = (c: Conn, outcome: 'ok' | 'bad-status' | 'closed') => {
      if (outcome === 'ok') samples[completed++] = performance.now() - c.sentAt;
      else errors++;
      if (outcome !== 'closed') idle.push(c);
      if (completed + errors >= total) finish();
    };
    const start = performance.now() + 50;
    const interval = 1000 / rate;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        maxLag = Math.max(maxLag, now - (start + sent * interval));
        let c = idle.pop();
        if (c === undefined) {
          c = new Conn(host, port, onDone);
          all.push(c);
        }
        c.busy = true;
        c.sentAt = performance.now();
        c.socket.write(request);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    };
    // Warm a few connections first so connection setup is not in the samples.
    for (let i = 0; i < 4; i++) {
      const c = new Conn(host, port, onDone);
      all.push(c);
      idle.push(c);
    }
    setTimeout(tick, 50);
    let finished = false;
    const guard = setTimeout(() => finish(), (seconds + 10) * 1000);
    function finish(): void {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      for (const c of all) c.socket.destroy();
      const s = Array.from(samples.subarray(0, completed)).sort((a, b) => a - b);
      const q = (p: number) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))]);
      resolve({ sent, completed, errors, connections: all.length, p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: s[s.length - 1] ?? NaN, maxLagMs: maxLag });
    }
  });
}

if (require.main === module) {
  const arg = (n: string, d: string) => {
    const i = process.argv.indexOf(`--${n}`);
    return i >= 0 ? process.argv[i + 1] : d;
  };
  runFixedRate(arg('url', 'http://127.0.0.1:18083/1k.bin'), Number(arg('rate', '1000')), Number(arg('seconds', '10'))).then((r) =>
    console.log(JSON.stringify(r)),
  );
}
