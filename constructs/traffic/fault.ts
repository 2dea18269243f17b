import { Duration } from 'cdk8s';
import type { HTTPFaultInjection } from '../api/virtual-service';
import { intInRange, numberInRange } from './private/checks';
import { durationProblems, istioDuration } from './private/duration';

/** gRPC status names Istio accepts in `fault.abort.grpcStatus`. */
export const GRPC_STATUS_CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

/** A gRPC status name, e.g. `UNAVAILABLE`. */
export type GrpcStatus = (typeof GRPC_STATUS_CODES)[number];

/** Options of an injected delay. */
export interface FaultDelayOptions {
  /** How long to wait before forwarding the request. */
  readonly fixedDelay: Duration;
  /**
   * Percentage of requests delayed, 0..100 (fractions allowed).
   * @default 100
   */
  readonly percentage?: number;
}

/** Options of an injected HTTP abort. */
export interface FaultAbortOptions {
  /** Status returned instead of forwarding, 200..599. */
  readonly httpStatus: number;
  /**
   * Percentage of requests aborted, 0..100 (fractions allowed).
   * @default 100
   */
  readonly percentage?: number;
}

/** Options of an injected gRPC abort. */
export interface FaultGrpcAbortOptions {
  /** gRPC status returned instead of forwarding. */
  readonly grpcStatus: GrpcStatus;
  /**
   * Percentage of requests aborted, 0..100 (fractions allowed).
   * @default 100
   */
  readonly percentage?: number;
}

/** The default share of requests a fault applies to. */
export const DEFAULT_FAULT_PERCENTAGE = 100;

/** Fault injection on a route (Istio's `HTTPFaultInjection`): delays, aborts, or both. */
export abstract class Fault {
  /** Delays requests by `fixedDelay`. */
  public static delay(options: FaultDelayOptions): Fault {
    return new FaultImpl(options, undefined);
  }

  /** Answers requests with `httpStatus` without forwarding them. */
  public static abort(options: FaultAbortOptions): Fault {
    return new FaultImpl(undefined, { kind: 'http', ...options });
  }

  /** Answers gRPC requests with `grpcStatus` without forwarding them. */
  public static grpcAbort(options: FaultGrpcAbortOptions): Fault {
    return new FaultImpl(undefined, { kind: 'grpc', ...options });
  }

  /** A delay and an abort on the same route. */
  public static both(delay: Fault, abort: Fault): Fault {
    const d = (delay as FaultImpl).delayOptions;
    const a = (abort as FaultImpl).abortOptions;
    return new FaultImpl(d, a, d === undefined || a === undefined || (delay as FaultImpl).abortOptions !== undefined || (abort as FaultImpl).delayOptions !== undefined);
  }

  /** @internal Istio's `HTTPFaultInjection`. */
  public abstract _render(): HTTPFaultInjection;

  /** @internal Problems, each starting with a field name. */
  public abstract _validate(): string[];
}

type AbortOptions = ({ kind: 'http' } & FaultAbortOptions) | ({ kind: 'grpc' } & FaultGrpcAbortOptions);

class FaultImpl extends Fault {
  constructor(
    public readonly delayOptions: FaultDelayOptions | undefined,
    public readonly abortOptions: AbortOptions | undefined,
    private readonly misusedBoth = false,
  ) {
    super();
  }

  public _render(): HTTPFaultInjection {
    const out: Record<string, unknown> = {};
    if (this.delayOptions) {
      out.delay = {
        fixedDelay: istioDuration(this.delayOptions.fixedDelay),
        percentage: { value: this.delayOptions.percentage ?? DEFAULT_FAULT_PERCENTAGE },
      };
    }
    if (this.abortOptions) {
      const a = this.abortOptions;
      out.abort = {
        ...(a.kind === 'http' ? { httpStatus: a.httpStatus } : { grpcStatus: a.grpcStatus }),
        percentage: { value: a.percentage ?? DEFAULT_FAULT_PERCENTAGE },
      };
    }
    return out as HTTPFaultInjection;
  }

  public _validate(): string[] {
    const problems: string[] = [];
    if (this.misusedBoth) {
      problems.push('Fault.both() expects a delay and then an abort (got something else)');
    }
    if (this.delayOptions) {
      problems.push(...durationProblems('delay.fixedDelay', this.delayOptions.fixedDelay));
      problems.push(...numberInRange('delay.percentage', this.delayOptions.percentage, 0, 100));
    }
    const a = this.abortOptions;
    if (a) {
      problems.push(...numberInRange('abort.percentage', a.percentage, 0, 100));
      if (a.kind === 'http') {
        problems.push(...intInRange('abort.httpStatus', a.httpStatus, 200, 599));
      } else if (!(GRPC_STATUS_CODES as readonly string[]).includes(a.grpcStatus)) {
        problems.push(`abort.grpcStatus must be one of ${GRPC_STATUS_CODES.join(', ')} (got ${JSON.stringify(a.grpcStatus)})`);
      }
    }
    return problems;
  }
}
