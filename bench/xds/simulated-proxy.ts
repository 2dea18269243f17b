/**
 * One simulated sidecar on a state-of-the-world ADS stream, subscribing the
 * way Envoy does: CDS wildcard; EDS for the EDS clusters received; LDS
 * wildcard once clusters are in; RDS for the route names the listeners use.
 * Every response is ACKed (with the version and nonce it carried); the time
 * of each ACK is recorded, and after a mark (the start of a measured change)
 * every ACK is counted by type with the time of the last one.
 */
import type * as grpc from '@grpc/grpc-js';
import { clusterEdsName, encodeRequest, listenerRouteNames, readResponse, ResponseSummary } from './wire';

export const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
export const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
/** Virtual hosts one by one (VHDS): delta ADS only. */
export const VHDS = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';

export const SHORT_TYPES = ['CDS', 'EDS', 'LDS', 'RDS', 'VHDS'] as const;
export type ShortType = (typeof SHORT_TYPES)[number];
export const SHORT: Readonly<Record<string, ShortType>> = { [CDS]: 'CDS', [EDS]: 'EDS', [LDS]: 'LDS', [RDS]: 'RDS', [VHDS]: 'VHDS' };

/** A count of zero for every type. */
export function zeroCounts(): Record<ShortType, number> {
  return { CDS: 0, EDS: 0, LDS: 0, RDS: 0, VHDS: 0 };
}

export const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

/** Current time in milliseconds on a clock shared by the processes of the machine (sub-millisecond). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

interface TypeState {
  version: string;
  nonce: string;
  /** Names subscribed (EDS/RDS); '' joined key for cheap comparison. */
  namesKey: string;
  names: readonly string[];
  requested: boolean;
  acked: boolean;
}

/** Counts after the current mark. */
export interface MarkCounts {
  /** Responses received (and ACKed) since the mark, by short type. */
  readonly pushes: Record<ShortType, number>;
  /** Time of the last ACK since the mark, or 0. */
  lastAckAt: number;
}

/** Shared name lists: thousands of proxies receive the same cluster and route names. */
const interned = new Map<string, readonly string[]>();
function intern(names: Set<string>): { key: string; names: readonly string[] } {
  const sorted = [...names].sort();
  const key = sorted.join('\n');
  let list = interned.get(key);
  if (!list) interned.set(key, (list = Object.freeze(sorted)));
  return { key, names: list };
}

export interface SimulatedProxyProps {
  readonly client: grpc.Client;
  readonly nodeId: string;
  /** The encoded Node, sent on the first request of each stream. */
  readonly node: Buffer;
  /** Called once, when the proxy first holds ACKed CDS, EDS, LDS and RDS (and VHDS when its routes use it). */
  readonly onInitialized: (proxy: ProxySimulation) => void;
  /** Called when the stream fails (the proxy reconnects after `reconnectMs`). */
  readonly onStreamError: (proxy: ProxySimulation, error: Error) => void;
  /** @default 1000 */
  readonly reconnectMs?: number;
}

/**
 * What the load process reads and drives of a simulated proxy, whichever
 * protocol it speaks: one ADS stream, opened by `start`, reopened after an
 * error, cancelled by `stop`; the first request of each stream names the node.
 */
export abstract class ProxySimulation {
  public openedAt = 0;
  /** When the proxy first held its whole initial configuration, or 0. */
  public initializedAt = 0;
  public responses = 0;
  public bytes = 0;
  public streamErrors = 0;
  public mark: MarkCounts | undefined;
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private sentNode = false;
  private stopped = false;

  protected constructor(
    protected readonly props: SimulatedProxyProps,
    private readonly method: string,
  ) {}

  public get nodeId(): string {
    return this.props.nodeId;
  }

  /** Opens the stream with fresh protocol state and sends the first request. */
  public start(): void {
    if (this.stopped) return;
    this.openedAt = now();
    this.sentNode = false;
    this.reset();
    const call = this.props.client.makeBidiStreamRequest<Buffer, Buffer>(this.method, (b: Buffer) => b, (b: Buffer) => b);
    this.call = call;
    call.on('data', (buf: Buffer) => {
      if (this.call === call) this.onResponse(buf);
    });
    call.on('error', (error: Error) => {
      if (this.call !== call || this.stopped) return;
      this.call = undefined;
      this.streamErrors += 1;
      this.props.onStreamError(this, error);
      setTimeout(() => this.start(), this.props.reconnectMs ?? 1000).unref();
    });
    call.on('end', () => undefined);
    this.firstRequest();
  }

  /** Starts counting ACKs afresh. */
  public setMark(): void {
    this.mark = { pushes: zeroCounts(), lastAckAt: 0 };
  }

  public stop(): void {
    this.stopped = true;
    const call = this.call;
    this.call = undefined;
    call?.cancel();
  }

  /** Sends a request made by `encode`, given the encoded node on the stream's first request. */
  protected write(encode: (node: Buffer | undefined) => Buffer): void {
    const node = this.sentNode ? undefined : this.props.node;
    this.sentNode = true;
    this.call?.write(encode(node));
  }

  /** Forgets the protocol state of the previous stream. */
  protected abstract reset(): void;
  protected abstract firstRequest(): void;
  protected abstract onResponse(buf: Buffer): void;
}

export class SimulatedProxy extends ProxySimulation {
  private states = new Map<string, TypeState>();

  public constructor(props: SimulatedProxyProps) {
    super(props, ADS_METHOD);
  }

  protected reset(): void {
    this.states = new Map();
  }

  /** CDS wildcard. */
  protected firstRequest(): void {
    this.request(CDS, []);
  }

  private state(typeUrl: string): TypeState {
    let s = this.states.get(typeUrl);
    if (!s) {
      s = { version: '', nonce: '', namesKey: '', names: [], requested: false, acked: false };
      this.states.set(typeUrl, s);
    }
    return s;
  }

  private request(typeUrl: string, names: readonly string[]): void {
    const s = this.state(typeUrl);
    s.requested = true;
    this.write((node) => encodeRequest({ versionInfo: s.version, node, resourceNames: names, typeUrl, responseNonce: s.nonce }));
  }

  protected onResponse(buf: Buffer): void {
    const response = readResponse(buf);
    this.responses += 1;
    this.bytes += response.bytes;
    const typeUrl = response.typeUrl;
    const s = this.state(typeUrl);
    s.version = response.versionInfo;
    s.nonce = response.nonce;
    if (typeUrl === CDS) this.onClusters(buf, response);
    else if (typeUrl === LDS) this.onListeners(buf, response);
    else {
      // EDS, RDS (and anything else): ACK with the current subscription.
      this.request(typeUrl, s.names);
      if (typeUrl === EDS && !this.state(LDS).requested) this.request(LDS, []);
    }
    s.acked = true;
    this.recordAck(typeUrl);
  }

  private onClusters(buf: Buffer, response: ResponseSummary): void {
    const names = new Set<string>();
    for (const resource of response.resources) {
      const name = clusterEdsName(buf, resource);
      if (name !== undefined) names.add(name);
    }
    this.request(CDS, []);
    const eds = this.state(EDS);
    const next = intern(names);
    if (next.key !== eds.namesKey || !eds.requested) {
      eds.namesKey = next.key;
      eds.names = next.names;
      if (next.names.length > 0) this.request(EDS, next.names);
      else eds.acked = true; // nothing to wait for
    }
    if (next.names.length === 0 && !this.state(LDS).requested) this.request(LDS, []);
  }

  private onListeners(buf: Buffer, response: ResponseSummary): void {
    const names = new Set<string>();
    for (const resource of response.resources) listenerRouteNames(buf, resource, names);
    this.request(LDS, []);
    const rds = this.state(RDS);
    const next = intern(names);
    if (next.key !== rds.namesKey || !rds.requested) {
      rds.namesKey = next.key;
      rds.names = next.names;
      if (next.names.length > 0) this.request(RDS, next.names);
      else rds.acked = true;
    }
  }

  private recordAck(typeUrl: string): void {
    const at = now();
    if (this.mark) {
      const short = SHORT[typeUrl];
      if (short) this.mark.pushes[short] += 1;
      this.mark.lastAckAt = at;
    }
    if (this.initializedAt === 0) {
      const done = [CDS, EDS, LDS, RDS].every((t) => this.states.get(t)?.acked === true);
      if (done) {
        this.initializedAt = at;
        this.props.onInitialized(this);
      }
    }
  }
}
