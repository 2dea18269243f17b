/**
 * The data plane's access log: one line per request in Envoy's default text
 * format, with the upstream cluster appended (response flags include the data
 * plane's own, such as NC). Lines go to a sink in batches (one write per flush
 * interval or 64 KiB, and whatever is left on `close`, which the proxy calls
 * when it drains on SIGTERM or /quitquitquit), or line by line when `batch` is
 * off (tests).
 *
 * Per request the line is appended straight to the batch: the `%START_TIME%`
 * text is built once per second (milliseconds appended), the two headers the
 * format reads are found in one pass, and no intermediate line string is made.
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

/** Flushes a batch once it is this long (characters). */
const BATCH_LIMIT = 65536;

const MS_TEXT: readonly string[] = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);

/**
 * `%START_TIME%` as `Date.prototype.toISOString` prints it, with the text up to
 * the seconds computed once per second.
 */
class StartTimeText {
  private second = NaN;
  private prefix = '';

  format(epochMs: number): string {
    const ms = Math.floor(epochMs);
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      const iso = new Date(second * 1000).toISOString(); // ...T12:34:56.000Z
      this.second = second;
      this.prefix = iso.slice(0, iso.length - 4);
    }
    return this.prefix + (MS_TEXT[ms - second * 1000] as string);
  }
}

const sharedStartTime = new StartTimeText();

/** Appends one line (newline-terminated) to `out`. */
function appendLine(out: string, e: AccessLogEntry, stamp: StartTimeText): string {
  const h = e.head;
  const hs = h.headers;
  let xff = '-';
  let ua = '-';
  let seenXff = false;
  let seenUa = false;
  for (let i = 0; i + 1 < hs.length; i += 2) {
    const n = hs[i] as string;
    // %REQ(name)%: the first occurrence, names compared case-insensitively.
    if (n.length === 10) {
      if (!seenUa && (n === 'user-agent' || n.toLowerCase() === 'user-agent')) {
        ua = hs[i + 1] as string;
        seenUa = true;
      }
    } else if (n.length === 15) {
      if (!seenXff && (n === 'x-forwarded-for' || n.toLowerCase() === 'x-forwarded-for')) {
        xff = hs[i + 1] as string;
        seenXff = true;
      }
    }
  }
  const flags = e.responseFlags === 0 ? '-' : responseFlagsText(e.responseFlags);
  return out + '[' + stamp.format(e.startTimeMs) + '] "' + h.method + ' ' + h.path + ' HTTP/' + h.httpVersion + '" ' + e.responseCode + ' ' + flags + ' ' +
    (e.responseCodeDetails || '-') + ' ' + e.bytesReceived + ' ' + e.bytesSent + ' ' + Math.round(e.durationMs) + ' "' + xff + '" "' + ua + '" "' +
    (e.requestId || '-') + '" "' + (h.authority || '-') + '" "' + (e.upstreamHost ?? '-') + '" ' + (e.upstreamCluster || '-') + '\n';
}

/** One access-log line (newline-terminated). */
export function formatAccessLogLine(e: AccessLogEntry): string {
  return appendLine('', e, sharedStartTime);
}

export class AccessLogWriter {
  private buffer = '';
  private readonly timer: NodeJS.Timeout | null;
  private readonly batch: boolean;
  private readonly stamp = new StartTimeText();

  constructor(private readonly props: AccessLogWriterProps) {
    this.batch = props.batch ?? true;
    this.timer = this.batch ? setInterval(() => this.flush(), props.flushIntervalMs ?? 100) : null;
    this.timer?.unref();
  }

  write(e: AccessLogEntry): void {
    if (!this.batch) {
      this.props.sink(appendLine('', e, this.stamp));
      return;
    }
    this.buffer = appendLine(this.buffer, e, this.stamp);
    if (this.buffer.length > BATCH_LIMIT) this.flush();
  }

  /** Lines buffered and not yet written (characters). */
  get pendingLength(): number {
    return this.buffer.length;
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
