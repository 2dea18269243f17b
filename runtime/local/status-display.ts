/**
 * What `meshform up` shows: one progress line per start-up step (with how long
 * it took), and once everything is ready a status table (workload, version,
 * address, proxy ready, xDS synced, admin address) followed by the ingress URL and the port
 * mappings. Plain lines, no cursor tricks: the output reads the same in a
 * terminal, a CI log and a test's captured output.
 */

export interface StatusRow {
  /** Pod name, e.g. `reviews-v2-local-00001`. */
  readonly workload: string;
  readonly version: string;
  /** What other proxies (or you) connect to: `127.0.0.4:9080`. */
  readonly address: string;
  /** `ready`, `not ready`, or `-` without a proxy. */
  readonly proxyReady: string;
  /** `SYNCED`, `STALE`, `NACKED`, `NOT SENT`, `not connected`, or `-` without a proxy. */
  readonly xdsSynced: string;
  /** The proxy's admin address (`127.0.0.1:15100`: /stats/prometheus, /config_dump), or `-`. */
  readonly admin: string;
}

/** Lays out `rows` under `headers` in aligned columns. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function formatStatus(rows: readonly StatusRow[]): string {
  return formatTable(
    ['WORKLOAD', 'VERSION', 'ADDRESS', 'PROXY', 'XDS', 'ADMIN'],
    rows.map((r) => [r.workload, r.version, r.address, r.proxyReady, r.xdsSynced, r.admin]),
  );
}

/** Prints `[n/total] label ...` when a step starts and `done (1.2 s)` when it ends. */
export class ProgressDisplay {
  private step = 0;
  private readonly started = Date.now();

  public constructor(private readonly total: number, private readonly write: (text: string) => void) {}

  /** Runs `work` as the next step, printing its label and duration (or failure). */
  public async run<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.step++;
    const t0 = Date.now();
    this.write(`[${this.step}/${this.total}] ${label} ...\n`);
    try {
      const result = await work();
      this.write(`      done (${seconds(Date.now() - t0)})\n`);
      return result;
    } catch (e) {
      this.write(`      failed (${seconds(Date.now() - t0)})\n`);
      throw e;
    }
  }

  /** Time since the display was made. */
  public elapsed(): string {
    return seconds(Date.now() - this.started);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
