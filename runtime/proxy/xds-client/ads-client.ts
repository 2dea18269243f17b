/**
 * The proxy's ADS client (state of the world or delta, over `@grpc/grpc-js`),
 * behaving as Envoy does:
 *
 * - one stream carries CDS, EDS, LDS and RDS; the first request names the node;
 * - CDS is a wildcard subscription; EDS follows the EDS clusters received;
 *   LDS (wildcard) starts once the initial clusters warmed; RDS follows the
 *   route configuration names of the listeners' HTTP connection managers;
 * - every resource is decoded with the shared decoders before it is applied;
 *   an applied response is ACKed, a response with any invalid resource is
 *   NACKed (`error_detail.message` lists `<name>: <field path>: <problem>`)
 *   and the type keeps its last accepted version;
 * - clusters warm until their endpoints arrive, listeners until their route
 *   configurations arrive, or until the initial fetch timeout;
 * - when the stream ends the configuration stays in force; the client
 *   reconnects after an exponential, jittered, bounded backoff and subscribes
 *   again with its accepted versions, so a restarted control plane that holds
 *   the same configuration sends nothing and nothing is dropped;
 * - on delta ADS, requests carry subscription changes and ACKs carry only the
 *   nonce; responses add, replace or remove resources one by one, and route
 *   configurations that name VHDS get their virtual hosts over it
 *   (`delta-responses.ts`, `vhds-routes.ts`).
 */
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition, DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse } from '../../xds/protos';
import { TypeUrl } from '../../xds/resource-types';
import { SILENT_LOGGER, XdsLogger } from '../../xds/server/logger';
import {
  AppliedChange,
  applyResponse,
  RejectedResource,
  configDump,
  ConfigDump,
  edsServiceNameOf,
  expireWarming,
  ProxyConfigSnapshot,
  ProxyConfigStore,
  routeConfigNamesOf,
  UpdateFailure,
  XDS_TYPE_NAMES,
  XdsTypeName,
} from '../config';
import { nodeMessage, ProxyNode } from '../node';
import { BackoffOptions, ExponentialBackoff } from './backoff';
import { AdsClientEvents, TypedEmitter } from './client-events';
import { decodeResponse } from './decode-response';
import { DeltaResponses, DeltaTypeName, deltaTypeOf } from './delta-responses';
import { TYPE_URL_OF, typeNameOf } from './xds-types';

export interface AdsClientProps {
  /** The control plane's address, `host:port` (Istio: port 15010). */
  readonly server: string;
  /** Who this proxy is (see `buildProxyNode`). */
  readonly node: ProxyNode;
  /**
   * Where applied configuration goes; the data plane subscribes to it.
   * @default a new store
   */
  readonly store?: ProxyConfigStore;
  /**
   * How long a subscription or a warming cluster or listener waits for its
   * first resources before it is considered initialized anyway; 0 waits forever.
   * @default 15000 (Envoy's `initial_fetch_timeout`)
   */
  readonly initialFetchTimeoutMs?: number;
  /** Delays between reconnection attempts. @default 500 ms growing ×2 up to 30 s, half jittered */
  readonly backoff?: BackoffOptions;
  /** @default insecure (plaintext, as Istio's port 15010) */
  readonly credentials?: grpc.ChannelCredentials;
  /** Extra gRPC channel options (keepalive, ...). @default none */
  readonly channelOptions?: grpc.ChannelOptions;
  /** @default a logger that drops everything */
  readonly logger?: XdsLogger;
  /** State of the world (`StreamAggregatedResources`) or delta (`DeltaAggregatedResources`). @default 'sotw' */
  readonly protocol?: AdsProtocol;
}

/** The two flavours of ADS. */
export type AdsProtocol = 'sotw' | 'delta';

/** The types the client follows: the four it applies, and on delta the virtual hosts of VHDS. */
const FOLLOWED: readonly DeltaTypeName[] = [...XDS_TYPE_NAMES, 'VHDS'];

function typeUrlOf(type: DeltaTypeName): string {
  return type === 'VHDS' ? TypeUrl.VirtualHost : TYPE_URL_OF[type];
}

export const DEFAULT_INITIAL_FETCH_TIMEOUT_MS = 15_000;

/** `INVALID_ARGUMENT`, the code Envoy puts in `error_detail` of a NACK. */
const NACK_CODE = grpc.status.INVALID_ARGUMENT;

type Phase = 'clusters' | 'listeners' | 'ready';

interface TypeState {
  /** Resource names asked for (EDS, RDS); CDS and LDS are wildcard. */
  names: ReadonlySet<string>;
  /** Whether the type has been asked for (on any stream). */
  subscribed: boolean;
  /** Whether a response of the type was applied or its initial fetch timed out. */
  initialized: boolean;
  /** Nonce of the last response on the current stream (delta: not yet acknowledged). */
  nonce: string;
  failure?: UpdateFailure;
  /** Delta: the names the server was told on the current stream. */
  told: ReadonlySet<string>;
  /** Delta: whether the type was asked for on the current stream. */
  opened: boolean;
}

type AdsCall = grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
type DeltaCall = grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
type AdsGrpcClient = grpc.Client & { StreamAggregatedResources(): AdsCall; DeltaAggregatedResources(): DeltaCall };

interface StreamHandle {
  readonly generation: number;
  readonly client: AdsGrpcClient;
  readonly call: AdsCall | DeltaCall;
  nodeSent: boolean;
  ended: boolean;
}

export class AdsClient extends TypedEmitter<AdsClientEvents> {
  public readonly store: ProxyConfigStore;
  public readonly node: ProxyNode;
  private readonly server: string;
  private readonly initialFetchTimeoutMs: number;
  private readonly backoff: ExponentialBackoff;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly channelOptions: grpc.ChannelOptions;
  private readonly logger: XdsLogger;
  public readonly protocol: AdsProtocol;
  private readonly types: Record<DeltaTypeName, TypeState>;
  /** Delta: what responses do to the configuration, and the versions held. */
  private readonly delta = new DeltaResponses();
  private readonly warmingTimers = new Map<string, { readonly hash: string; readonly timer: NodeJS.Timeout }>();
  private readonly fetchTimers = new Map<XdsTypeName, NodeJS.Timeout>();
  private readonly readyWaiters: Array<{ resolve: (s: ProxyConfigSnapshot) => void; reject: (e: Error) => void }> = [];
  private stream: StreamHandle | undefined;
  private generation = 0;
  private streamsOpened = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private phase: Phase = 'clusters';
  private isConnected = false;
  private started = false;
  private closed = false;

  public constructor(props: AdsClientProps) {
    super();
    this.server = props.server;
    this.node = props.node;
    this.store = props.store ?? new ProxyConfigStore();
    this.initialFetchTimeoutMs = props.initialFetchTimeoutMs ?? DEFAULT_INITIAL_FETCH_TIMEOUT_MS;
    this.backoff = new ExponentialBackoff(props.backoff);
    this.credentials = props.credentials ?? grpc.credentials.createInsecure();
    this.channelOptions = props.channelOptions ?? {};
    this.logger = props.logger ?? SILENT_LOGGER;
    this.protocol = props.protocol ?? 'sotw';
    const state = (): TypeState => ({ names: new Set(), subscribed: false, initialized: false, nonce: '', told: new Set(), opened: false });
    this.types = { CDS: state(), EDS: state(), LDS: state(), RDS: state(), VHDS: state() };
  }

  /** The configuration in force. */
  public get snapshot(): ProxyConfigSnapshot {
    return this.store.current;
  }

  /** Whether a stream is open on a ready channel. */
  public get connected(): boolean {
    return this.isConnected;
  }

  /** Whether the initial configuration was applied (see the `ready` event). */
  public get ready(): boolean {
    return this.phase === 'ready';
  }

  /** The backoff in use (its `attempts` count failed attempts since the last connection). */
  public get reconnectBackoff(): ExponentialBackoff {
    return this.backoff;
  }

  /** Names the client currently asks for, per type (`*` for the wildcard types once subscribed). */
  public subscriptions(): Record<XdsTypeName, string[]> {
    const out = {} as Record<XdsTypeName, string[]>;
    for (const type of XDS_TYPE_NAMES) {
      const s = this.types[type];
      out[type] = type === 'CDS' || type === 'LDS' ? (s.subscribed ? ['*'] : []) : [...s.names].sort();
    }
    return out;
  }

  /** The names of route configurations whose virtual hosts come over VHDS (delta only). */
  public vhdsSubscription(): string[] {
    return [...this.types.VHDS.names].sort();
  }

  /** The last rejected response of each type that has not been followed by an accepted one (VHDS counts as RDS). */
  public updateFailures(): UpdateFailure[] {
    return FOLLOWED.flatMap((t) => (this.types[t].failure ? [this.types[t].failure] : []));
  }

  /** Envoy's `/config_dump` of the configuration in force, with rejected updates as `error_state`. */
  public configDump(): ConfigDump {
    return configDump(this.store.current, { updateFailures: this.updateFailures() });
  }

  /** Connects and subscribes; returns at once (see `whenReady`). */
  public start(): void {
    if (this.started) return;
    if (this.closed) throw new Error('ads client: start() after close()');
    this.started = true;
    this.subscribe('CDS');
    this.connect();
  }

  /** Resolves with the snapshot once the initial configuration is applied; rejects if the client is closed first. */
  public whenReady(): Promise<ProxyConfigSnapshot> {
    if (this.phase === 'ready') return Promise.resolve(this.store.current);
    if (this.closed) return Promise.reject(new Error('ads client closed before the initial configuration was applied'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Ends the stream and every timer; the last configuration stays in the store. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const { timer } of this.warmingTimers.values()) clearTimeout(timer);
    this.warmingTimers.clear();
    for (const timer of this.fetchTimers.values()) clearTimeout(timer);
    this.fetchTimers.clear();
    this.endStream();
    this.isConnected = false;
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error('ads client closed before the initial configuration was applied'));
  }

  // --- stream lifecycle --------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    const generation = ++this.generation;
    const Client = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    // A channel of its own per attempt (local subchannel pool): the backoff above
    // paces reconnection, not a shared subchannel's own backoff.
    const options: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1, ...this.channelOptions };
    const client = new Client(this.server, this.credentials, options) as unknown as AdsGrpcClient;
    const call = this.protocol === 'delta' ? client.DeltaAggregatedResources() : client.StreamAggregatedResources();
    const handle: StreamHandle = { generation, client, call, nodeSent: false, ended: false };
    this.stream = handle;
    for (const type of FOLLOWED) {
      const s = this.types[type];
      s.nonce = '';
      s.told = new Set();
      s.opened = false;
    }

    if (this.protocol === 'delta') call.on('data', (response: DeltaDiscoveryResponse) => this.onDeltaResponse(handle, response));
    else call.on('data', (response: DiscoveryResponse) => this.onResponse(handle, response));
    call.on('error', () => undefined); // the status below ends the stream
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(handle, status.code, status.details));
    this.watchUntilReady(handle);

    // Ask again for everything subscribed, with the versions in force.
    for (const type of FOLLOWED) {
      const s = this.types[type];
      if (s.subscribed && (type === 'CDS' || type === 'LDS' || s.names.size > 0)) this.send(type);
    }
  }

  /** Reports the connection once the stream's channel is ready (no timer: the watch ends with the channel). */
  private watchUntilReady(handle: StreamHandle): void {
    const channel = handle.client.getChannel();
    const check = (): void => {
      if (this.stream !== handle || handle.ended) return;
      let state: grpc.connectivityState;
      try {
        state = channel.getConnectivityState(true);
        if (state === grpc.connectivityState.READY) {
          this.onConnected();
          return;
        }
        channel.watchConnectivityState(state, Infinity, check);
      } catch {
        // the channel was closed: the stream's end is handled by its status
      }
    };
    check();
  }

  private onConnected(): void {
    if (this.isConnected) return;
    this.isConnected = true;
    this.backoff.reset();
    const reconnects = this.streamsOpened++;
    this.logger.info(`xds client: connected to ${this.server} as ${this.node.id}${reconnects > 0 ? ` (reconnect ${reconnects})` : ''}`);
    this.emit('connected', { reconnects });
  }

  private onStreamEnd(handle: StreamHandle, code: number, details: string): void {
    if (handle.ended) return;
    handle.ended = true;
    handle.client.close();
    if (this.stream !== handle) return;
    this.stream = undefined;
    this.isConnected = false;
    if (this.closed) return;
    const retryInMs = this.backoff.next();
    this.logger.warn(`xds client: stream to ${this.server} ended (${grpc.status[code] ?? code}: ${details}); keeping the last configuration, retrying in ${retryInMs} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), retryInMs);
    this.reconnectTimer.unref?.();
    this.emit('disconnected', { code, details, retryInMs });
  }

  private endStream(): void {
    const handle = this.stream;
    this.stream = undefined;
    if (!handle || handle.ended) return;
    handle.ended = true;
    handle.call.cancel();
    handle.client.close();
  }

  // --- requests ----------------------------------------------------------------

  /** Marks a type subscribed and arms its initial fetch timeout. */
  private subscribe(type: XdsTypeName): void {
    const s = this.types[type];
    if (s.subscribed) return;
    s.subscribed = true;
    if (this.initialFetchTimeoutMs > 0 && (type === 'CDS' || type === 'LDS')) {
      const timer = setTimeout(() => this.onInitialFetchTimeout(type), this.initialFetchTimeoutMs);
      timer.unref?.();
      this.fetchTimers.set(type, timer);
    }
  }

  /** Sends the current subscription of `type` (an ACK, or a NACK with `errorMessage`). */
  private send(type: DeltaTypeName, errorMessage?: string): void {
    if (this.protocol === 'delta') {
      this.sendDelta(type, errorMessage);
      return;
    }
    const handle = this.stream;
    if (!handle || handle.ended || type === 'VHDS') return;
    const s = this.types[type];
    const request: DiscoveryRequest = {
      version_info: this.store.current.version(type).versionInfo,
      node: handle.nodeSent ? null : nodeMessage(this.node),
      resource_names: type === 'CDS' || type === 'LDS' ? [] : [...s.names].sort(),
      type_url: TYPE_URL_OF[type],
      response_nonce: s.nonce,
      error_detail: errorMessage === undefined ? null : { code: NACK_CODE, message: errorMessage },
    };
    handle.nodeSent = true;
    (handle.call as AdsCall).write(request);
  }

  /**
   * Delta: what changed in the subscription of `type` since the server was
   * last told (all of it, with the versions held, on a new stream), with the
   * nonce of the response being ACKed or NACKed, if any.
   */
  private sendDelta(type: DeltaTypeName, errorMessage?: string): void {
    const handle = this.stream;
    if (!handle || handle.ended) return;
    const s = this.types[type];
    const want: ReadonlySet<string> = type === 'CDS' || type === 'LDS' ? new Set() : s.names;
    const subscribe = [...want].filter((n) => !s.told.has(n)).sort();
    const unsubscribe = [...s.told].filter((n) => !want.has(n)).sort();
    const nonce = s.nonce;
    if (s.opened && subscribe.length === 0 && unsubscribe.length === 0 && nonce === '' && errorMessage === undefined) return;
    const request: DeltaDiscoveryRequest = {
      node: handle.nodeSent ? null : nodeMessage(this.node),
      type_url: typeUrlOf(type),
      resource_names_subscribe: subscribe,
      resource_names_unsubscribe: unsubscribe,
      initial_resource_versions: s.opened ? {} : this.delta.versionsOf(type),
      response_nonce: nonce,
      error_detail: errorMessage === undefined ? null : { code: NACK_CODE, message: errorMessage },
    };
    s.nonce = '';
    s.opened = true;
    s.told = new Set(want);
    handle.nodeSent = true;
    (handle.call as DeltaCall).write(request);
  }

  // --- responses ---------------------------------------------------------------

  /** The type of a response on the current stream, or `undefined` (an ended stream, a closed client, or a type not followed: logged). */
  private typeOfResponse<T>(handle: StreamHandle, typeUrl: string, typeOf: (typeUrl: string) => T | undefined): T | undefined {
    if (this.stream !== handle || this.closed) return undefined;
    this.onConnected();
    const type = typeOf(typeUrl);
    if (type === undefined) this.logger.warn(`xds client: ignoring a response of unsupported type '${typeUrl}'`);
    return type;
  }

  private onResponse(handle: StreamHandle, response: DiscoveryResponse): void {
    const type = this.typeOfResponse(handle, response.type_url, typeNameOf);
    if (!type) return;
    const s = this.types[type];
    s.nonce = response.nonce;
    const at = new Date();
    const version = response.version_info;
    const only = type === 'EDS' || type === 'RDS' ? s.names : undefined;
    const decoded = decodeResponse(type, version, response.resources, at, only ? { only } : {});

    if (!decoded.ok) {
      this.reject(type, version, response.nonce, at, decoded.message, decoded.rejected);
      return;
    }
    this.accept(type, version, response.nonce, applyResponse(this.store.current, type, version, decoded.resources, at));
  }

  /** NACKs a response; the type keeps its last accepted version. */
  private reject(type: DeltaTypeName, version: string, nonce: string, at: Date, message: string, rejected: readonly RejectedResource[]): void {
    const applied: XdsTypeName = type === 'VHDS' ? 'RDS' : type;
    const kept = this.store.current.version(applied).versionInfo;
    const failure: UpdateFailure = { type: applied, versionInfo: version, nonce, at, details: message, resources: rejected };
    this.types[type].failure = failure;
    this.logger.warn(`xds client: rejected ${type} version ${version} (keeping ${kept || 'none'}):\n${message}`);
    this.send(type, message);
    this.emit('nack', { type: applied, versionInfo: version, keptVersionInfo: kept, nonce, message, failure });
  }

  /** Puts an accepted response's change in force, follows what it needs, then ACKs it. */
  private accept(type: DeltaTypeName, version: string, nonce: string, change: AppliedChange | undefined): void {
    const s = this.types[type];
    delete s.failure;
    s.initialized = true;
    if (change) this.store.replace(change.snapshot, change.changedTypes);
    // Ask for the endpoints and route configurations the new clusters and
    // listeners need before acknowledging them, as Envoy does.
    this.updateDependentSubscriptions();
    this.send(type);
    this.emit('ack', { type: type === 'VHDS' ? 'RDS' : type, versionInfo: version, nonce });
    this.afterChange();
  }

  /** Delta: resources added, replaced or removed one by one (see `delta-responses.ts`). */
  private onDeltaResponse(handle: StreamHandle, response: DeltaDiscoveryResponse): void {
    const type = this.typeOfResponse(handle, response.type_url, deltaTypeOf);
    if (!type) return;
    this.types[type].nonce = response.nonce;
    const at = new Date();
    const version = response.system_version_info;
    const outcome = this.delta.apply(this.store.current, type, response, at);
    if (outcome.ok) this.accept(type, version, response.nonce, outcome.change);
    else this.reject(type, version, response.nonce, at, outcome.message, outcome.rejected);
  }

  /** EDS names follow the EDS clusters, RDS names the listeners' RDS route configurations. */
  private updateDependentSubscriptions(): void {
    const snapshot = this.store.current;
    const eds = new Set<string>();
    for (const c of [...snapshot.clusters.values(), ...snapshot.warmingClusters.values()]) {
      const service = edsServiceNameOf(c.value);
      if (service !== undefined) eds.add(service);
    }
    const rds = new Set<string>();
    for (const l of [...snapshot.listeners.values(), ...snapshot.warmingListeners.values()]) {
      for (const name of routeConfigNamesOf(l.value)) rds.add(name);
    }
    this.resubscribe('EDS', eds);
    this.resubscribe('RDS', rds);
    if (this.protocol === 'delta') this.resubscribe('VHDS', this.delta.vhdsNames());
  }

  private resubscribe(type: 'EDS' | 'RDS' | 'VHDS', names: ReadonlySet<string>): void {
    const s = this.types[type];
    if (sameSet(s.names, names)) return;
    s.names = names;
    if (names.size > 0) s.subscribed = true;
    // An empty list after names unsubscribes (EDS and RDS have no wildcard by default).
    if (s.subscribed) this.send(type);
  }

  // --- warming and initialization ------------------------------------------------

  private afterChange(): void {
    this.reconcileWarmingTimers();
    this.advancePhase();
  }

  private reconcileWarmingTimers(): void {
    const snapshot = this.store.current;
    const warming = new Map<string, { type: 'CDS' | 'LDS'; name: string; hash: string }>();
    for (const c of snapshot.warmingClusters.values()) warming.set(`CDS/${c.name}`, { type: 'CDS', name: c.name, hash: c.hash });
    for (const l of snapshot.warmingListeners.values()) warming.set(`LDS/${l.name}`, { type: 'LDS', name: l.name, hash: l.hash });
    for (const [key, entry] of this.warmingTimers) {
      if (warming.get(key)?.hash !== entry.hash) {
        clearTimeout(entry.timer);
        this.warmingTimers.delete(key);
      }
    }
    if (this.initialFetchTimeoutMs <= 0) return;
    for (const [key, w] of warming) {
      if (this.warmingTimers.has(key)) continue;
      const timer = setTimeout(() => this.onWarmingTimeout(key, w.type, w.name, w.hash), this.initialFetchTimeoutMs);
      timer.unref?.();
      this.warmingTimers.set(key, { hash: w.hash, timer });
    }
  }

  private onWarmingTimeout(key: string, type: 'CDS' | 'LDS', name: string, hash: string): void {
    this.warmingTimers.delete(key);
    if (this.closed) return;
    const snapshot = this.store.current;
    const warming = type === 'CDS' ? snapshot.warmingClusters.get(name) : snapshot.warmingListeners.get(name);
    if (warming?.hash !== hash) return;
    const waitingFor = type === 'CDS' ? 'its endpoints (EDS)' : 'its route configurations (RDS)';
    this.logger.warn(`xds client: ${type === 'CDS' ? 'cluster' : 'listener'} '${name}' did not receive ${waitingFor} within ${this.initialFetchTimeoutMs} ms; serving it without`);
    const change = expireWarming(snapshot, type, [name]);
    this.store.replace(change.snapshot, change.changedTypes);
    this.afterChange();
  }

  private onInitialFetchTimeout(type: 'CDS' | 'LDS'): void {
    this.fetchTimers.delete(type);
    const s = this.types[type];
    if (this.closed || s.initialized) return;
    this.logger.warn(`xds client: no ${type} response within ${this.initialFetchTimeoutMs} ms; continuing initialization without`);
    s.initialized = true;
    this.advancePhase();
  }

  /** Envoy's order: clusters (with their endpoints) first, then listeners (with their routes). */
  private advancePhase(): void {
    const snapshot = this.store.current;
    if (this.phase === 'clusters' && this.types.CDS.initialized && snapshot.warmingClusters.size === 0) {
      this.phase = 'listeners';
      this.subscribe('LDS');
      this.send('LDS');
    }
    if (this.phase === 'listeners' && this.types.LDS.initialized && snapshot.warmingListeners.size === 0) {
      this.phase = 'ready';
      const timer = this.fetchTimers.get('LDS');
      if (timer) clearTimeout(timer);
      this.logger.info(`xds client: initial configuration applied (${snapshot.clusters.size} clusters, ${snapshot.listeners.size} listeners)`);
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve(snapshot);
      this.emit('ready', snapshot);
    }
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
