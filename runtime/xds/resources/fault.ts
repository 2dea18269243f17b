/**
 * `envoy.extensions.filters.http.fault.v3.HTTPFault`: the fault filter's config,
 * in the HTTP connection manager (defaults) or per route/virtual host.
 */
import type { Message } from './private/reader';
import { fractionalPercent } from './private/percent';

export const FAULT_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

export interface FaultDelay {
  readonly fixedDelayMs: number;
  /** Share of requests delayed, 0..1 (0 when the percentage is unset, as in Envoy). */
  readonly fraction: number;
}

export type FaultAbort =
  | { readonly kind: 'http'; readonly status: number; readonly fraction: number }
  | { readonly kind: 'grpc'; readonly status: number; readonly fraction: number };

export interface FaultConfig {
  readonly delay?: FaultDelay;
  readonly abort?: FaultAbort;
  /** Most faults active at once; unlimited when undefined. */
  readonly maxActiveFaults?: number;
}

/** A missing percentage means 0% in Envoy's FractionalPercent: the fault never fires. */
function fractionOf(m: Message): number {
  const p = m.message('percentage');
  return p ? fractionalPercent(p) : 0;
}

/** Reads an HTTPFault message (the fields after `@type`). */
export function decodeFault(m: Message): FaultConfig {
  m.unsupported(['upstream_cluster', 'headers', 'downstream_nodes', 'response_rate_limit']);
  let delay: FaultDelay | undefined;
  const d = m.message('delay');
  if (d) {
    d.unsupported(['header_delay'], 'header-controlled delays are not supported');
    const fixedDelayMs = d.duration('fixed_delay', { sign: 'positive', required: !d.has('header_delay') });
    if (fixedDelayMs !== undefined) delay = { fixedDelayMs, fraction: fractionOf(d) };
  }
  let abort: FaultAbort | undefined;
  const a = m.message('abort');
  if (a) {
    a.unsupported(['header_abort'], 'header-controlled aborts are not supported');
    const kind = a.oneof(['http_status', 'grpc_status'] as const, { required: !a.has('header_abort') });
    if (kind === 'http_status') {
      const status = a.integer('http_status', { min: 200, max: 599 });
      if (status !== undefined) abort = { kind: 'http', status, fraction: fractionOf(a) };
    } else if (kind === 'grpc_status') {
      const status = a.integer('grpc_status', { max: 16 });
      if (status !== undefined) abort = { kind: 'grpc', status, fraction: fractionOf(a) };
    }
  }
  const maxActiveFaults = m.integer('max_active_faults');
  return {
    ...(delay ? { delay } : {}),
    ...(abort ? { abort } : {}),
    ...(maxActiveFaults !== undefined ? { maxActiveFaults } : {}),
  };
}
