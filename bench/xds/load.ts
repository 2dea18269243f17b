/**
 * The load side of the control-plane benchmark: P simulated sidecars, each on
 * its own ADS stream, spread over C gRPC channels (one HTTP/2 connection
 * each). Proxy i is `sidecar~IP~app-i.ns~ns.svc.cluster.local` with the labels
 * (app, version) and address of one Pod of the generated mesh.
 *
 * Driven by `run.ts` over IPC (`mark`, `status`, `collect`, `stop`), or run
 * alone: it then waits until every proxy holds its initial configuration,
 * prints the figures and exits. Either way it exits by itself at
 * `--max-seconds`, or when its parent goes away.
 *
 *   node lib/bench/xds/load.js --xds 127.0.0.1:15010 [--proxies 2000] [--first 0]
 *     [--services 1000] [--channels 20] [--max-seconds 1800]
 */
import * as grpc from '@grpc/grpc-js';
import { MESH_NAMESPACE, podAddress, podLabels, serviceName, VERSIONS } from './generate-mesh';
import { SimulatedDeltaProxy } from './simulated-delta-proxy';
import { now, ProxySimulation, SHORT_TYPES, ShortType, SimulatedProxy, zeroCounts } from './simulated-proxy';
import { encodeNode } from './wire';

export interface LoadOptions {
  readonly xds: string;
  readonly proxies: number;
  /** Index of the first proxy (several load processes split the proxies). */
  readonly first: number;
  readonly services: number;
  readonly channels: number;
  readonly maxSeconds: number;
  /** State-of-the-world or delta ADS streams. */
  readonly protocol: XdsProtocol;
}

export type XdsProtocol = 'sotw' | 'delta';

/** Messages from the driver. */
export type LoadCommand =
  | { readonly type: 'mark' }
  | { readonly type: 'status' }
  | { readonly type: 'collect' }
  | { readonly type: 'stop' };

export interface LoadStatus {
  readonly type: 'status';
  readonly proxies: number;
  readonly initialized: number;
  readonly streamErrors: number;
  readonly lastError?: string;
  readonly responses: number;
  readonly bytes: number;
  /** Since the last mark: proxies that ACKed a response of each type. */
  readonly markedProxies: Record<ShortType, number>;
  /** Since the last mark: responses by type, over all proxies. */
  readonly markPushes: Record<ShortType, number>;
  /** Since the last mark: time of the latest ACK of any proxy, or 0. */
  readonly lastAckAt: number;
  /** Resident set of the load process, MB. */
  readonly rssMb: number;
}

export interface LoadCollection {
  readonly type: 'collect';
  readonly startedAt: number;
  /** Per proxy: when it first held its whole configuration (0: never). */
  readonly initializedAt: number[];
  /** Per proxy: time of its last ACK since the mark (0: none). */
  readonly lastAckAt: number[];
  /** Per proxy: responses since the mark, by type. */
  readonly pushes: Array<Record<ShortType, number>>;
}

export type LoadReport = LoadStatus | LoadCollection | { readonly type: 'started'; readonly startedAt: number };

/** The node id of proxy `i`, and the service and version it stands in for. */
export function proxyOf(i: number, services: number): { id: string; service: number; version: (typeof VERSIONS)[number] } {
  const service = i % services;
  const version = VERSIONS[Math.floor(i / services) % VERSIONS.length] ?? 'v1';
  const ip = podAddress(service, version);
  return { id: `sidecar~${ip}~app-${i}.${MESH_NAMESPACE}~${MESH_NAMESPACE}.svc.cluster.local`, service, version };
}

function option(argv: string[], name: string, fallback?: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a non-negative integer, got ${argv[i + 1]}`);
  return value;
}

/** `--protocol sotw|delta` (default sotw). */
export function protocolOption(argv: string[]): XdsProtocol {
  const i = argv.indexOf('--protocol');
  const value = i >= 0 ? argv[i + 1] : 'sotw';
  if (value !== 'sotw' && value !== 'delta') throw new Error(`--protocol: expected 'sotw' or 'delta', got '${value}'`);
  return value;
}

export function parseLoadOptions(argv: string[]): LoadOptions {
  const x = argv.indexOf('--xds');
  const xds = x >= 0 ? argv[x + 1] : undefined;
  if (!xds) throw new Error('--xds HOST:PORT is required');
  return {
    xds,
    proxies: option(argv, 'proxies', 2000),
    first: option(argv, 'first', 0),
    services: option(argv, 'services', 1000),
    channels: Math.max(1, option(argv, 'channels', 20)),
    maxSeconds: option(argv, 'max-seconds', 1800),
    protocol: protocolOption(argv),
  };
}

const ENVOY_FLOW_CONTROL_WINDOW = 256 * 1024 * 1024;

export class Load {
  public readonly startedAt = now();
  public lastError: string | undefined;
  private readonly clients: grpc.Client[] = [];
  private readonly proxies: ProxySimulation[] = [];
  private initialized = 0;
  private waiters: Array<() => void> = [];

  public constructor(options: LoadOptions) {
    const channelOptions: grpc.ChannelOptions = {
      // One connection per client: without this, clients to the same target share one.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc-node.max_session_memory': 1 << 30,
      // Envoy's HTTP/2 flow-control windows for its xDS connection (256 MiB per
      // stream and connection); grpc-js would otherwise advertise 64 KiB and pace
      // every large response by window updates.
      'grpc-node.flow_control_window': ENVOY_FLOW_CONTROL_WINDOW,
      'grpc.initial_reconnect_backoff_ms': 200,
    };
    for (let c = 0; c < options.channels; c++) {
      this.clients.push(new grpc.Client(options.xds, grpc.credentials.createInsecure(), channelOptions));
    }
    for (let k = 0; k < options.proxies; k++) {
      const i = options.first + k;
      const p = proxyOf(i, options.services);
      const node = encodeNode({
        id: p.id,
        cluster: `${serviceName(p.service)}.${MESH_NAMESPACE}`,
        metadata: { NAMESPACE: MESH_NAMESPACE, LABELS: podLabels(p.service, p.version), WORKLOAD_NAME: serviceName(p.service) },
      });
      const Simulation = options.protocol === 'delta' ? SimulatedDeltaProxy : SimulatedProxy;
      this.proxies.push(
        new Simulation({
          client: this.clients[k % this.clients.length] as grpc.Client,
          nodeId: p.id,
          node,
          onInitialized: () => {
            this.initialized += 1;
            if (this.initialized === this.proxies.length) for (const w of this.waiters.splice(0)) w();
          },
          onStreamError: (_proxy, error) => {
            this.lastError = error.message;
          },
        }),
      );
    }
  }

  public start(): void {
    for (const p of this.proxies) p.start();
  }

  /** Resolves when every proxy holds its initial configuration. */
  public whenInitialized(): Promise<void> {
    if (this.initialized === this.proxies.length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  public mark(): void {
    for (const p of this.proxies) p.setMark();
  }

  public status(): LoadStatus {
    const markedProxies = zeroCounts();
    const markPushes = zeroCounts();
    let lastAckAt = 0;
    let streamErrors = 0;
    let responses = 0;
    let bytes = 0;
    for (const p of this.proxies) {
      streamErrors += p.streamErrors;
      responses += p.responses;
      bytes += p.bytes;
      if (!p.mark) continue;
      for (const t of SHORT_TYPES) {
        markPushes[t] += p.mark.pushes[t];
        if (p.mark.pushes[t] > 0) markedProxies[t] += 1;
      }
      lastAckAt = Math.max(lastAckAt, p.mark.lastAckAt);
    }
    return {
      type: 'status',
      proxies: this.proxies.length,
      initialized: this.initialized,
      streamErrors,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      responses,
      bytes,
      markedProxies,
      markPushes,
      lastAckAt,
      rssMb: process.memoryUsage().rss / 1e6,
    };
  }

  public collect(): LoadCollection {
    return {
      type: 'collect',
      startedAt: this.startedAt,
      initializedAt: this.proxies.map((p) => p.initializedAt),
      lastAckAt: this.proxies.map((p) => p.mark?.lastAckAt ?? 0),
      pushes: this.proxies.map((p) => ({ ...(p.mark?.pushes ?? zeroCounts()) })),
    };
  }

  public stop(): void {
    for (const p of this.proxies) p.stop();
    for (const c of this.clients) c.close();
  }
}

function main(argv: string[]): void {
  const options = parseLoadOptions(argv);
  const load = new Load(options);
  const deadline = setTimeout(() => {
    console.error(`load: --max-seconds ${options.maxSeconds} reached, exiting`);
    process.exit(2);
  }, options.maxSeconds * 1000);
  deadline.unref();
  const exit = (code: number): void => {
    load.stop();
    setTimeout(() => process.exit(code), 200).unref();
  };

  if (process.send) {
    const send = (report: LoadReport): void => void process.send?.(report);
    process.on('disconnect', () => exit(0));
    process.on('message', (command: LoadCommand) => {
      if (command.type === 'mark') load.mark();
      else if (command.type === 'status') send(load.status());
      else if (command.type === 'collect') send(load.collect());
      else if (command.type === 'stop') exit(0);
    });
    load.start();
    send({ type: 'started', startedAt: load.startedAt });
    return;
  }

  // Alone: report progress every 5 s until initialized, then exit.
  load.start();
  const progress = setInterval(() => {
    const s = load.status();
    console.log(`load: ${s.initialized}/${s.proxies} initialized, ${s.responses} responses, ${(s.bytes / 1e6).toFixed(0)} MB, ${s.streamErrors} stream errors${s.lastError ? ` (${s.lastError})` : ''}, load RSS ${s.rssMb.toFixed(0)} MB`);
  }, 5000);
  void load.whenInitialized().then(() => {
    clearInterval(progress);
    const c = load.collect();
    const times = c.initializedAt.map((t) => t - c.startedAt).sort((a, b) => a - b);
    const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    console.log(`load: ${times.length} proxies initialized; p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, last ${(times[times.length - 1] ?? 0).toFixed(0)} ms`);
    exit(0);
  });
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`load: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
