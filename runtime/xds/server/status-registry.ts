/**
 * In-memory sync status of connected proxies: what was sent, what was
 * acknowledged, what was rejected. `/debug/syncz` and `proxy-status` read it.
 */
import type { NodeInfo } from './node';

export type XdsProtocol = 'sotw' | 'delta';

/** A response a proxy rejected. */
export interface NackRecord {
  readonly nodeId: string;
  readonly typeUrl: string;
  /** Version of the rejected response. */
  readonly version: string;
  readonly nonce: string;
  /** `error_detail.code` sent by the proxy (a gRPC status code). */
  readonly code: number;
  /** `error_detail.message` sent by the proxy. */
  readonly message: string;
  readonly at: Date;
}

/** Sync state of one resource type on one stream. */
export interface TypeSyncStatus {
  readonly typeUrl: string;
  readonly subscription: { readonly wildcard: boolean; readonly names: readonly string[] };
  readonly sentVersion?: string;
  readonly sentNonce?: string;
  readonly sentAt?: Date;
  /** Last version the proxy accepted; unchanged by a NACK. */
  readonly ackedVersion?: string;
  readonly ackedAt?: Date;
  readonly lastNack?: NackRecord;
  readonly nackCount: number;
}

/** One connected proxy stream. */
export interface ProxyStreamStatus {
  readonly streamId: number;
  readonly nodeId: string;
  readonly node: NodeInfo;
  readonly protocol: XdsProtocol;
  readonly connectedAt: Date;
  readonly peer?: string;
  readonly types: readonly TypeSyncStatus[];
}

export interface XdsStatusRegistryProps {
  /**
   * How many recent NACKs `recentNacks()` keeps.
   * @default 100
   */
  readonly nackHistory?: number;
}

type MutableTypeStatus = {
  -readonly [K in keyof TypeSyncStatus]: TypeSyncStatus[K];
};

interface StreamEntry {
  readonly streamId: number;
  readonly node: NodeInfo;
  readonly protocol: XdsProtocol;
  readonly connectedAt: Date;
  readonly peer?: string;
  readonly types: Map<string, MutableTypeStatus>;
}

export class XdsStatusRegistry {
  private readonly streamsById = new Map<number, StreamEntry>();
  private readonly nackHistory: number;
  private readonly nackLog: NackRecord[] = [];
  private readonly nacksByType = new Map<string, number>();
  private nextStreamId = 1;

  public constructor(props: XdsStatusRegistryProps = {}) {
    this.nackHistory = props.nackHistory ?? 100;
  }

  /** Registers a stream whose first request named `node`; returns its id. */
  public openStream(node: NodeInfo, protocol: XdsProtocol, peer?: string): number {
    const streamId = this.nextStreamId++;
    this.streamsById.set(streamId, {
      streamId,
      node,
      protocol,
      connectedAt: new Date(),
      ...(peer !== undefined ? { peer } : {}),
      types: new Map(),
    });
    return streamId;
  }

  public closeStream(streamId: number): void {
    this.streamsById.delete(streamId);
  }

  /** Records what the stream is subscribed to; `sortedNames` is kept as given (not copied). */
  public recordSubscription(
    streamId: number,
    typeUrl: string,
    subscription: { readonly wildcard: boolean; readonly sortedNames: readonly string[] },
  ): void {
    const type = this.type(streamId, typeUrl);
    if (!type) return;
    const { wildcard, sortedNames } = subscription;
    if (type.subscription.wildcard !== wildcard || type.subscription.names !== sortedNames) {
      type.subscription = { wildcard, names: sortedNames };
    }
  }

  public recordSent(streamId: number, typeUrl: string, version: string, nonce: string): void {
    const type = this.type(streamId, typeUrl);
    if (!type) return;
    type.sentVersion = version;
    type.sentNonce = nonce;
    type.sentAt = new Date();
  }

  public recordAck(streamId: number, typeUrl: string, version: string): void {
    const type = this.type(streamId, typeUrl);
    if (!type) return;
    type.ackedVersion = version;
    type.ackedAt = new Date();
  }

  public recordNack(streamId: number, nack: NackRecord): void {
    const type = this.type(streamId, nack.typeUrl);
    if (type) {
      type.lastNack = nack;
      type.nackCount += 1;
    }
    this.nacksByType.set(nack.typeUrl, (this.nacksByType.get(nack.typeUrl) ?? 0) + 1);
    this.nackLog.push(nack);
    if (this.nackLog.length > this.nackHistory) this.nackLog.splice(0, this.nackLog.length - this.nackHistory);
  }

  /** Every open stream, oldest first (copies: later changes do not show through). */
  public streams(): ProxyStreamStatus[] {
    return [...this.streamsById.values()].map(toStatus);
  }

  /** Open streams of one node. */
  public streamsOf(nodeId: string): ProxyStreamStatus[] {
    return this.streams().filter((s) => s.nodeId === nodeId);
  }

  /** The most recent NACKs, oldest first. */
  public recentNacks(): NackRecord[] {
    return [...this.nackLog];
  }

  /** NACKs received since start, for one type or in total. */
  public nackCount(typeUrl?: string): number {
    if (typeUrl !== undefined) return this.nacksByType.get(typeUrl) ?? 0;
    let total = 0;
    for (const n of this.nacksByType.values()) total += n;
    return total;
  }

  private type(streamId: number, typeUrl: string): MutableTypeStatus | undefined {
    const stream = this.streamsById.get(streamId);
    if (!stream) return undefined;
    let type = stream.types.get(typeUrl);
    if (!type) {
      type = { typeUrl, subscription: { wildcard: false, names: [] }, nackCount: 0 };
      stream.types.set(typeUrl, type);
    }
    return type;
  }
}

function toStatus(entry: StreamEntry): ProxyStreamStatus {
  return {
    streamId: entry.streamId,
    nodeId: entry.node.id,
    node: entry.node,
    protocol: entry.protocol,
    connectedAt: entry.connectedAt,
    ...(entry.peer !== undefined ? { peer: entry.peer } : {}),
    types: [...entry.types.values()].map((t) => ({ ...t })),
  };
}
