/**
 * The circuit-breaker seam of the connection pools. A pool asks its limits before
 * opening a connection or queueing a request, and reports when it gives the slot
 * back. One {@link PoolLimits} may be shared by all pools of a cluster, which is
 * how Envoy's per-cluster circuit-breaker thresholds apply across endpoints.
 */
export interface PoolLimits {
  /** Reserve a connection slot; false refuses (the request then waits or overflows). */
  tryOpenConnection(): boolean;
  /** Give back a slot taken by a successful {@link tryOpenConnection}. */
  connectionClosed(): void;
  /** Reserve a pending-request slot; false makes the request fail with `upstream-overflow` (UO). */
  tryQueueRequest(): boolean;
  /** Give back a slot taken by a successful {@link tryQueueRequest}. */
  requestDequeued(): void;
}

export interface ThresholdLimitsProps {
  /** Envoy `max_connections`. @default 1024 */
  readonly maxConnections?: number;
  /** Envoy `max_pending_requests`. @default 1024 */
  readonly maxPendingRequests?: number;
}

/** Counting limits with fixed thresholds (Envoy's defaults). */
export class ThresholdLimits implements PoolLimits {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  connections = 0;
  pendingRequests = 0;

  constructor(props: ThresholdLimitsProps = {}) {
    this.maxConnections = props.maxConnections ?? 1024;
    this.maxPendingRequests = props.maxPendingRequests ?? 1024;
  }

  tryOpenConnection(): boolean {
    if (this.connections >= this.maxConnections) return false;
    this.connections++;
    return true;
  }

  connectionClosed(): void {
    this.connections--;
  }

  tryQueueRequest(): boolean {
    if (this.pendingRequests >= this.maxPendingRequests) return false;
    this.pendingRequests++;
    return true;
  }

  requestDequeued(): void {
    this.pendingRequests--;
  }
}
