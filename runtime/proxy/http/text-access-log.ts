import * as fs from 'fs';
import type { AccessLogEntry, AccessLogHook } from './access-log';
import { formatResponseFlags } from './response-flags';

/**
 * Envoy's default text access-log format, written to a file descriptor in batches
 * (one write per `flushIntervalMs` or per 64 KiB), so logging costs one string per
 * request and no syscall per request:
 * `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%"
 * "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"`
 */
export class TextAccessLog {
  /** The hook to give the listener. */
  readonly hook: AccessLogHook;
  private buffer = '';
  private lastMs = 0;
  private lastStamp = '';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly fd: number, flushIntervalMs = 100) {
    this.hook = this.write.bind(this);
    this.timer = setInterval(this.flush.bind(this), flushIntervalMs);
    this.timer.unref();
  }

  /** Opens (appends to) `path`. */
  static toFile(path: string, flushIntervalMs?: number): TextAccessLog {
    return new TextAccessLog(fs.openSync(path, 'a'), flushIntervalMs);
  }

  private write(e: AccessLogEntry): void {
    if (e.startTimeMs !== this.lastMs) {
      this.lastMs = e.startTimeMs;
      this.lastStamp = new Date(e.startTimeMs).toISOString();
    }
    const h = e.head;
    let ua = '-';
    let xff = '-';
    const hs = h.headers;
    for (let i = 0; i < hs.length; i += 2) {
      const n = hs[i];
      if (n.length === 10 && n.toLowerCase() === 'user-agent') ua = hs[i + 1];
      else if (n.length === 15 && n.toLowerCase() === 'x-forwarded-for') xff = hs[i + 1];
    }
    this.buffer += `[${this.lastStamp}] "${h.method} ${h.path} HTTP/${h.httpVersion}" ${e.responseCode} ${formatResponseFlags(e.responseFlags)} ${
      e.bytesReceived
    } ${e.bytesSent} ${Math.round(e.durationMs)} "${xff}" "${ua}" "${e.requestId || '-'}" "${h.authority || '-'}" "${e.upstreamHost ?? '-'}"\n`;
    if (this.buffer.length > 65536) this.flush();
  }

  /** Writes what is buffered (synchronously; the batches are small and rare). */
  flush(): void {
    if (this.buffer === '') return;
    const b = this.buffer;
    this.buffer = '';
    try {
      fs.writeSync(this.fd, b);
    } catch {
      // A full disk or closed descriptor must not take the proxy down.
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    fs.closeSync(this.fd);
  }
}
