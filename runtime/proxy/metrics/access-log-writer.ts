/**
 * The data plane's access log: one line per request in Envoy's default text
 * format, with the upstream cluster appended (response flags include the data
 * plane's own, such as NC). Lines go to a sink in batches (one write per flush
 * interval or 64 KiB), or line by line when `batch` is off (tests).
 */
import type { AccessLogEntry } from '../http';
import { responseFlagsText } from './response-flags-text';

export interface AccessLogWriterProps {
  /** Where text goes. */
  readonly sink: (text: string) => void;
  /** Buffer lines and write every `flushIntervalMs`. @default true */
  readonly batch?: boolean;
  /** @default 100 */
  readonly flushIntervalMs?: number;
}

/** `%REQ(name)%` of a flat header list, `-` when absent. */
function req(headers: readonly string[], lower: string): string {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const n = headers[i] as string;
    if (n.length === lower.length && n.toLowerCase() === lower) return headers[i + 1] as string;
  }
  return '-';
}

/** One access-log line (newline-terminated). */
export function formatAccessLogLine(e: AccessLogEntry): string {
  const h = e.head;
  return `[${new Date(e.startTimeMs).toISOString()}] "${h.method} ${h.path} HTTP/${h.httpVersion}" ${e.responseCode} ${responseFlagsText(e.responseFlags)} ${
    e.responseCodeDetails || '-'} ${e.bytesReceived} ${e.bytesSent} ${Math.round(e.durationMs)} "${req(h.headers, 'x-forwarded-for')}" "${
    req(h.headers, 'user-agent')}" "${e.requestId || '-'}" "${h.authority || '-'}" "${e.upstreamHost ?? '-'}" ${e.upstreamCluster || '-'}\n`;
}

export class AccessLogWriter {
  private buffer = '';
  private readonly timer: NodeJS.Timeout | null;
  private readonly batch: boolean;

  constructor(private readonly props: AccessLogWriterProps) {
    this.batch = props.batch ?? true;
    this.timer = this.batch ? setInterval(() => this.flush(), props.flushIntervalMs ?? 100) : null;
    this.timer?.unref();
  }

  write(e: AccessLogEntry): void {
    const line = formatAccessLogLine(e);
    if (!this.batch) {
      this.props.sink(line);
      return;
    }
    this.buffer += line;
    if (this.buffer.length > 65536) this.flush();
  }

  flush(): void {
    if (this.buffer === '') return;
    const b = this.buffer;
    this.buffer = '';
    try {
      this.props.sink(b);
    } catch {
      // A failing sink must not take the proxy down.
    }
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.flush();
  }
}
