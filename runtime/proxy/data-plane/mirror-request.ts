/**
 * A mirrored (shadowed) request: the same head, with the host suffixed
 * `-shadow`, and body, sent to a host of the mirror cluster through its pools.
 * Fire and forget: the response is read and dropped, failures are ignored,
 * and nothing of it reaches the client's exchange.
 */
import type { Hash53 } from '../cluster';
import type { UpstreamConnection, UpstreamResetReason, UpstreamUser } from '../upstream';
import { shadowHead } from './request-head-text';
import type { UpstreamCluster } from './upstream-cluster';

/** Most bytes a mirror buffers before its connection is ready; beyond, the mirror is dropped. */
const MIRROR_BUFFER_LIMIT = 256 * 1024;

export class MirrorRequest implements UpstreamUser {
  /** Starts a mirror to `cluster`, or null when it has no host to send to. */
  static start(cluster: UpstreamCluster, hash: Hash53 | undefined): MirrorRequest | null {
    if (cluster.closed) return null;
    const host = cluster.state.chooseHost({ hash });
    if (host === undefined) return null;
    const m = new MirrorRequest(cluster, host.key);
    const pool = cluster.poolFor(host);
    m.pool = pool;
    pool.acquire(m);
    return m;
  }

  private pool: ReturnType<UpstreamCluster['poolFor']> | null = null;
  private conn: UpstreamConnection | null = null;
  private pending: (Buffer | string)[] = [];
  private pendingBytes = 0;
  private dropped = false;
  private headSent = false;
  private ended = false;

  private constructor(private readonly cluster: UpstreamCluster, readonly hostKey: string) {}

  writeHead(head: string): void {
    if (this.headSent || this.dropped) return;
    this.headSent = true;
    const shadow = shadowHead(head);
    if (this.conn !== null) this.conn.write(shadow, 'latin1');
    else this.pending.unshift(shadow);
  }

  write(chunk: Buffer): void {
    if (this.dropped) return;
    if (this.conn !== null) {
      this.conn.write(chunk);
      return;
    }
    this.pendingBytes += chunk.length;
    if (this.pendingBytes > MIRROR_BUFFER_LIMIT) {
      this.drop();
      return;
    }
    this.pending.push(chunk);
  }

  /** The main request finished (its body is complete); the mirror completes on its own. */
  end(): void {
    this.ended = true;
  }

  private drop(): void {
    this.dropped = true;
    this.pending = [];
    const pool = this.pool;
    if (pool === null) return;
    if (this.conn !== null) {
      pool.destroyConnection(this.conn);
      this.conn = null;
    } else {
      pool.cancel(this);
    }
  }

  onUpstreamReady(conn: UpstreamConnection): void {
    if (this.dropped) {
      this.pool?.release(conn, true);
      return;
    }
    this.conn = conn;
    for (const p of this.pending) {
      if (typeof p === 'string') conn.write(p, 'latin1');
      else conn.write(p);
    }
    this.pending = [];
  }

  onUpstreamFailure(_reason: UpstreamResetReason): void {
    this.dropped = true;
  }

  onResponseHead(status: number): boolean {
    const host = this.cluster.state.host(this.hostKey);
    if (host !== undefined && status >= 200) this.cluster.state.onResponse(host, status);
    return false;
  }

  onResponseBody(): void {}

  onResponseEnd(keepAlive: boolean): void {
    const conn = this.conn;
    this.conn = null;
    this.dropped = true;
    // Reuse the connection only when the whole request had been sent.
    if (conn !== null) this.pool?.release(conn, keepAlive && this.ended);
  }

  onUpstreamReset(): void {
    this.conn = null;
    this.dropped = true;
  }

  onUpstreamDrain(): void {}
}
