import type { AccessLogHook } from './access-log';
import type { ProxyStats } from './proxy-stats';
import type { Router } from './route-decision';

export interface Http1ListenerProps {
  /** The route stage. */
  readonly route: Router;
  /** Counters and histograms this listener updates. @default a new ProxyStats */
  readonly stats?: ProxyStats;
  /** Called once per finished exchange. @default none */
  readonly accessLog?: AccessLogHook;
  /** Largest request head (request line + headers) in bytes; larger → 431. @default 61440 (60 KiB, Envoy's default) */
  readonly maxHeaderBytes?: number;
  /** Most request headers; more → 431. @default 100 (Envoy's default) */
  readonly maxHeaderCount?: number;
  /** Time allowed from the first byte of a request head to its end; then 408 and close (slowloris). @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Close a keep-alive connection idle this long. @default 300000 */
  readonly idleTimeoutMs?: number;
  /** Default per-request deadline when the route sets none; 0 disables. @default 15000 (Envoy's route timeout) */
  readonly requestTimeoutMs?: number;
  /** Granularity of the timeout checks (one timer per listener). @default 100 */
  readonly timerResolutionMs?: number;
  /** Add `x-request-id` to forwarded requests that lack one. @default true */
  readonly generateRequestId?: boolean;
}

/** Props with every default applied. */
export interface ResolvedListenerOptions {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly timerResolutionMs: number;
  readonly generateRequestId: boolean;
}

export function resolveListenerOptions(p: Http1ListenerProps): ResolvedListenerOptions {
  return {
    maxHeaderBytes: p.maxHeaderBytes ?? 60 * 1024,
    maxHeaderCount: p.maxHeaderCount ?? 100,
    headersTimeoutMs: p.headersTimeoutMs ?? 10_000,
    idleTimeoutMs: p.idleTimeoutMs ?? 300_000,
    requestTimeoutMs: p.requestTimeoutMs ?? 15_000,
    timerResolutionMs: p.timerResolutionMs ?? 100,
    generateRequestId: p.generateRequestId ?? true,
  };
}
