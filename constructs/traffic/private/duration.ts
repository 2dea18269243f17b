import { Duration } from 'cdk8s';

/**
 * Renders a cdk8s `Duration` as an Istio (protobuf JSON) duration string:
 * whole seconds as `"7s"`, durations made in milliseconds as `"100ms"`,
 * fractional seconds as `"0.5s"`.
 */
export function istioDuration(d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  if (ms % 1000 === 0) {
    return `${ms / 1000}s`;
  }
  if (d.unitLabel() === 'millis' && Number.isInteger(ms)) {
    return `${ms}ms`;
  }
  return `${trimFloat(ms / 1000)}s`;
}

/** Problems with a duration that Istio requires to be at least 1ms, as `field must be ...` messages. */
export function durationProblems(field: string, d: Duration | undefined): string[] {
  if (d === undefined) {
    return [];
  }
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms < 1) {
    return [`${field} must be at least 1ms (got ${humanMs(ms)})`];
  }
  if (!Number.isInteger(ms)) {
    return [`${field} must be a whole number of milliseconds (got ${humanMs(ms)})`];
  }
  return [];
}

function humanMs(ms: number): string {
  return `${trimFloat(ms)}ms`;
}

function trimFloat(n: number): string {
  return String(Number(n.toFixed(6)));
}
