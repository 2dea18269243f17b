/**
 * The fault filter, per route: a fixed delay and an abort (HTTP or gRPC status),
 * each taken with its own percentage. Only routes whose most specific per-filter
 * configuration for the fault filter holds a fault are affected.
 */
import type { FaultConfig } from '../../xds/resources';
import type { FaultAbortDecision } from './route-decision';
import { RandomSource, sample } from './random';

export interface FaultOutcome {
  readonly delayMs?: number;
  readonly abort?: FaultAbortDecision;
}

export interface CompiledFault {
  /** Draws the delay, then the abort; undefined when neither fires. */
  evaluate(random: RandomSource): FaultOutcome | undefined;
}

/** Compiles a fault config; undefined when it can never fire. */
export function compileFault(config: FaultConfig): CompiledFault | undefined {
  const delay = config.delay && config.delay.fraction > 0 ? config.delay : undefined;
  const abortConfig = config.abort && config.abort.fraction > 0 ? config.abort : undefined;
  if (!delay && !abortConfig) return undefined;
  const abort: FaultAbortDecision | undefined = abortConfig
    ? Object.freeze(abortConfig.kind === 'grpc' ? { status: 200, grpcStatus: abortConfig.status } : { status: abortConfig.status })
    : undefined;
  const delayOnly: FaultOutcome | undefined = delay ? Object.freeze({ delayMs: delay.fixedDelayMs }) : undefined;
  const abortOnly: FaultOutcome | undefined = abort ? Object.freeze({ abort }) : undefined;
  const both: FaultOutcome | undefined = delay && abort ? Object.freeze({ delayMs: delay.fixedDelayMs, abort }) : undefined;
  return {
    evaluate(random) {
      const delayed = delay !== undefined && sample(delay.fraction, random);
      const aborted = abortConfig !== undefined && sample(abortConfig.fraction, random);
      if (delayed && aborted) return both;
      if (delayed) return delayOnly;
      if (aborted) return abortOnly;
      return undefined;
    },
  };
}
