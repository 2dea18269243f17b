/**
 * What state-of-the-world and delta streams share: the node identity taken
 * from the first request, nonces, one cache watch per type, NACK recording,
 * and the wiring of the call's events (with protocol violations turned into
 * gRPC statuses).
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import type { NodeMessage, StatusMessage } from '../protos';
import { shortTypeName } from '../resource-types';
import type { CancelWatch, ConfigWatcher, KnownState, Subscription, WatchResponse } from '../cache';
import type { XdsDuplexCall } from './call';
import type { XdsLogger } from './logger';
import type { XdsMetrics } from './metrics';
import { NodeInfo, nodeInfo } from './node';
import { XdsProtocolError } from './protocol-error';
import type { XdsProtocol, XdsStatusRegistry } from './status-registry';

/** Called when a proxy's stream opens (after its first request) and when it closes. */
export interface XdsServerHooks {
  /** A proxy connected (over `protocol`): the place to compute and set its first snapshot. */
  readonly onStreamOpened?: (node: NodeInfo, protocol: XdsProtocol) => void;
  readonly onStreamClosed?: (node: NodeInfo) => void;
}

/** What a protocol module needs from the server. */
export interface StreamDependencies {
  readonly cache: ConfigWatcher;
  readonly logger: XdsLogger;
  readonly status: XdsStatusRegistry;
  readonly metrics: XdsMetrics;
  /** Sent as `control_plane.identifier` in responses. */
  readonly controlPlaneId: string;
  readonly hooks?: XdsServerHooks;
}

interface WatchSlot {
  cancel?: CancelWatch;
}

export class StreamSession {
  private identity?: { readonly node: NodeInfo; readonly streamId: number };
  private nonceCounter = 0;
  private closed = false;
  private readonly watches = new Map<string, WatchSlot>();

  public constructor(
    public readonly deps: StreamDependencies,
    public readonly protocol: XdsProtocol,
    private readonly peer?: string,
  ) {}

  /** Node of the stream; throws if called before the first request was accepted. */
  public get node(): NodeInfo {
    if (!this.identity) throw new Error('stream has no node yet');
    return this.identity.node;
  }

  public get streamId(): number {
    if (!this.identity) throw new Error('stream has no node yet');
    return this.identity.streamId;
  }

  public get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Takes the node from the first request (required there) and checks later
   * requests name the same node if they name one at all.
   */
  public identify(node: NodeMessage | null | undefined): void {
    const info = nodeInfo(node);
    if (!this.identity) {
      if (!info) throw XdsProtocolError.missingNode();
      const streamId = this.deps.status.openStream(info, this.protocol, this.peer);
      this.identity = { node: info, streamId };
      this.deps.metrics.streamOpened(this.protocol);
      this.deps.logger.info(`xds: ${this.protocol} stream ${streamId} opened by ${info.id}`);
      this.deps.hooks?.onStreamOpened?.(info, this.protocol);
      return;
    }
    if (info && info.id !== this.identity.node.id) throw XdsProtocolError.nodeChanged(this.identity.node.id, info.id);
  }

  /** A nonce unique on this stream. */
  public nextNonce(): string {
    this.nonceCounter += 1;
    return String(this.nonceCounter);
  }

  /** Whether a cache watch for `typeUrl` is pending. */
  public hasWatch(typeUrl: string): boolean {
    return this.watches.get(typeUrl)?.cancel !== undefined;
  }

  /**
   * Replaces the watch for `typeUrl`. `onResponse` runs at most once, never
   * after the stream closed or the watch was replaced, possibly before this
   * method returns.
   */
  public watch(
    typeUrl: string,
    known: KnownState,
    subscription: Subscription,
    onResponse: (response: WatchResponse) => void,
  ): void {
    this.cancelWatch(typeUrl);
    if (this.closed) return;
    const slot: WatchSlot = {};
    let fired = false;
    this.watches.set(typeUrl, slot);
    const cancel = this.deps.cache.watch(this.node.id, typeUrl, known, subscription, (response) => {
      if (fired || this.closed || this.watches.get(typeUrl) !== slot) return;
      fired = true;
      slot.cancel = undefined;
      onResponse(response);
    });
    if (!fired) slot.cancel = cancel;
  }

  public cancelWatch(typeUrl: string): void {
    const slot = this.watches.get(typeUrl);
    if (!slot) return;
    this.watches.delete(typeUrl);
    slot.cancel?.();
    slot.cancel = undefined;
  }

  /** Logs, counts and records a NACK; the proxy keeps its last accepted version. */
  public recordNack(typeUrl: string, version: string, nonce: string, error: StatusMessage): void {
    const nodeId = this.node.id;
    const message = error.message ?? '';
    this.deps.logger.warn(
      `xds: NACK from ${nodeId} for ${shortTypeName(typeUrl)} version ${version || '(none)'}: ${message}`,
    );
    this.deps.metrics.nacked(typeUrl);
    this.deps.status.recordNack(this.streamId, {
      nodeId,
      typeUrl,
      version,
      nonce,
      code: error.code ?? 0,
      message,
      at: new Date(),
    });
  }

  /** Cancels every watch and forgets the stream. Safe to call more than once. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const typeUrl of [...this.watches.keys()]) this.cancelWatch(typeUrl);
    if (this.identity) {
      const { node, streamId } = this.identity;
      this.deps.status.closeStream(streamId);
      this.deps.metrics.streamClosed(this.protocol);
      this.deps.logger.info(`xds: ${this.protocol} stream ${streamId} of ${node.id} closed`);
      this.deps.hooks?.onStreamClosed?.(node);
    }
  }
}

/**
 * Wires a call to a request handler: requests are handled in order, a
 * protocol violation ends the call with its status, an unexpected error with
 * INTERNAL; the end or cancellation of the call closes the session.
 */
export function runStream<Req, Res>(
  call: XdsDuplexCall<Req, Res>,
  session: StreamSession,
  onRequest: (request: Req) => void,
): void {
  call.on('data', (request: Req) => {
    if (session.isClosed) return;
    try {
      onRequest(request);
    } catch (err) {
      const error =
        err instanceof XdsProtocolError
          ? err
          : new XdsProtocolError(grpcStatus.INTERNAL, `internal error: ${(err as Error).message}`);
      session.deps.logger.warn(`xds: ${session.protocol} stream ended: ${error.message}`);
      session.close();
      call.emit('error', error.toStatus());
    }
  });
  call.on('end', () => {
    const wasOpen = !session.isClosed;
    session.close();
    if (wasOpen) call.end();
  });
  call.on('cancelled', () => session.close());
  call.on('close', () => session.close());
  call.on('error', () => session.close());
}
