/**
 * The xDS server's status registry, with a listener told of every response
 * sent, acknowledged and rejected, by node id: what the control plane needs to
 * time pushes and convergence.
 */
import type { NodeInfo } from '../xds/server/node';
import { NackRecord, XdsProtocol, XdsStatusRegistry, XdsStatusRegistryProps } from '../xds/server/status-registry';

export interface SyncListener {
  sent?(nodeId: string, typeUrl: string, version: string): void;
  acked?(nodeId: string, typeUrl: string, version: string): void;
  nacked?(nodeId: string, nack: NackRecord): void;
}

export class ObservedStatusRegistry extends XdsStatusRegistry {
  private readonly nodeOfStream = new Map<number, string>();
  private readonly listeners = new Set<SyncListener>();

  public constructor(props: XdsStatusRegistryProps = {}) {
    super(props);
  }

  /** Adds a listener; returns a function that removes it. */
  public observe(listener: SyncListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public override openStream(node: NodeInfo, protocol: XdsProtocol, peer?: string): number {
    const id = super.openStream(node, protocol, peer);
    this.nodeOfStream.set(id, node.id);
    return id;
  }

  public override closeStream(streamId: number): void {
    super.closeStream(streamId);
    this.nodeOfStream.delete(streamId);
  }

  public override recordSent(streamId: number, typeUrl: string, version: string, nonce: string): void {
    super.recordSent(streamId, typeUrl, version, nonce);
    const node = this.nodeOfStream.get(streamId);
    if (node !== undefined) for (const l of this.listeners) l.sent?.(node, typeUrl, version);
  }

  public override recordAck(streamId: number, typeUrl: string, version: string): void {
    super.recordAck(streamId, typeUrl, version);
    const node = this.nodeOfStream.get(streamId);
    if (node !== undefined) for (const l of this.listeners) l.acked?.(node, typeUrl, version);
  }

  public override recordNack(streamId: number, nack: NackRecord): void {
    super.recordNack(streamId, nack);
    for (const l of this.listeners) l.nacked?.(nack.nodeId, nack);
  }
}
