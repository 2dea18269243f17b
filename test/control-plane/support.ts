/**
 * Helpers of the control-plane end-to-end tests: waiting on conditions with a
 * deadline, HTTP GETs to the monitoring server, echo gRPC backends, a raw ADS
 * client, a logger that keeps its lines, and YAML config directories.
 */
import { spawn } from 'child_process';
import * as http from 'http';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ControlPlaneLogger, lineLogger } from '../../runtime/control-plane/logger';
import {
  adsServiceDefinition, DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse, PlainMessage, unpackResource,
} from '../../runtime/xds/protos';

/** Polls `check` until it returns a value other than undefined/false, or throws after `deadlineMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = 5000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET `url`: status and body. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const r = await httpGet(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

/** A logger that keeps every line (and the lines as one text). */
export function memoryLogger(): ControlPlaneLogger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const logger = lineLogger({ write: (l) => lines.push(l), level: 'debug' });
  return { ...logger, lines, text: () => lines.join('') };
}

export { tempDir, writeAtomically } from '../support/config-dir';

// --- echo backends -------------------------------------------------------------

export interface EchoReply { message: string; version: string }

const ECHO_PROTO = path.join(__dirname, 'fixtures', 'echo.proto');

function echoPackage(): { Echo: grpc.ServiceClientConstructor } {
  const definition = protoLoader.loadSync(ECHO_PROTO, { keepCase: true, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { meshform: { test: { Echo: grpc.ServiceClientConstructor } } };
  return loaded.meshform.test;
}

export interface EchoBackend {
  readonly address: string;
  readonly port: number;
  readonly version: string;
  close(): Promise<void>;
}

/** An echo server on `address` (any free port) answering with `version`. */
export async function startEchoBackend(address: string, version: string): Promise<EchoBackend> {
  const server = new grpc.Server();
  server.addService(echoPackage().Echo.service, {
    Say: (call: grpc.ServerUnaryCall<{ message: string }, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => cb(null, { message: call.request.message, version }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${address}:0`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return {
    address, port, version,
    close: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => server.forceShutdown(), 500).unref();
    }),
  };
}

/** A call that failed: its gRPC status code. */
export class EchoCallError extends Error {
  public constructor(public readonly code: number, details: string) {
    super(`gRPC status ${code}: ${details}`);
  }
}

/**
 * An echo client over xDS (`xds:///target`, bootstrapped to the control plane at
 * `xdsPort`), running in its own process: grpc-js-xds never closes its
 * connection to the control plane, so the test kills the process instead.
 */
export function xdsEchoClient(target: string, xdsPort: number, nodeId: string, metadata: Record<string, unknown>): {
  say(message: string, headers?: Record<string, string>): Promise<EchoReply>;
  close(): Promise<void>;
} {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'echo-client.js'), target, String(xdsPort), nodeId, JSON.stringify(metadata)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, { resolve: (r: EchoReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const answer = JSON.parse(buffered.slice(0, nl)) as { id: number; version?: string; code?: number; details?: string };
      buffered = buffered.slice(nl + 1);
      const w = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (answer.version !== undefined) w?.resolve({ message: '', version: answer.version });
      else w?.reject(new EchoCallError(answer.code ?? 2, answer.details ?? ''));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    say: (message, headers = {}) => new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, message, headers })}\n`);
    }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// --- a raw ADS client ---------------------------------------------------------

/** Node metadata as a wire Struct. */
function struct(json: Record<string, unknown>): PlainMessage {
  const value = (v: unknown): PlainMessage => {
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'number') return { numberValue: v };
    if (typeof v === 'boolean') return { boolValue: v };
    if (Array.isArray(v)) return { listValue: { values: v.map(value) } };
    if (v && typeof v === 'object') return { structValue: struct(v as Record<string, unknown>) };
    return { nullValue: 'NULL_VALUE' };
  };
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, value(v)])) };
}

/** One raw ADS stream (state of the world or delta) that records responses; its first request names the node. */
abstract class RawAdsStream<Req, Res> {
  public readonly responses: Res[] = [];
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Req, Res>;
  private firstSent = false;

  protected constructor(
    method: 'StreamAggregatedResources' | 'DeltaAggregatedResources',
    xdsPort: number,
    private readonly nodeId: string,
    private readonly metadata: Record<string, unknown>,
  ) {
    const Client = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    this.client = new Client(`127.0.0.1:${xdsPort}`, grpc.credentials.createInsecure());
    this.call = (this.client as unknown as Record<typeof method, () => grpc.ClientDuplexStream<Req, Res>>)[method]();
    this.call.on('data', (r: Res) => this.responses.push(r));
    this.call.on('error', () => undefined);
  }

  public close(): void {
    this.call.cancel();
    this.client.close();
  }

  protected write(request: Omit<Req, 'node'>): void {
    const node = this.firstSent ? null : { id: this.nodeId, cluster: 'test', metadata: struct(this.metadata) };
    this.firstSent = true;
    this.call.write({ ...request, node } as unknown as Req);
  }
}

/** A state-of-the-world ADS stream that records responses and can ACK or NACK them. */
export class RawAdsClient extends RawAdsStream<DiscoveryRequest, DiscoveryResponse> {
  public constructor(xdsPort: number, nodeId: string, metadata: Record<string, unknown>) {
    super('StreamAggregatedResources', xdsPort, nodeId, metadata);
  }

  /** Subscribes to `typeUrl` (wildcard when `names` is empty). */
  public subscribe(typeUrl: string, names: readonly string[] = []): void {
    this.write({ type_url: typeUrl, resource_names: names, version_info: '', response_nonce: '' });
  }

  /** The latest response of `typeUrl`, if any. */
  public latest(typeUrl: string): DiscoveryResponse | undefined {
    return [...this.responses].reverse().find((r) => r.type_url === typeUrl);
  }

  /** The resources of the latest response of `typeUrl`, unpacked. */
  public resources(typeUrl: string): PlainMessage[] {
    return (this.latest(typeUrl)?.resources ?? []).map((a) => unpackResource(a));
  }

  public ack(response: DiscoveryResponse, names: readonly string[] = []): void {
    this.write({ type_url: response.type_url, resource_names: names, version_info: response.version_info, response_nonce: response.nonce });
  }

  public nack(response: DiscoveryResponse, message: string, names: readonly string[] = []): void {
    this.write({
      type_url: response.type_url, resource_names: names, version_info: '', response_nonce: response.nonce,
      error_detail: { code: 3, message },
    });
  }
}

/** A delta ADS stream that records responses and ACKs them on request. */
export class RawDeltaAdsClient extends RawAdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  public constructor(xdsPort: number, nodeId: string, metadata: Record<string, unknown>) {
    super('DeltaAggregatedResources', xdsPort, nodeId, metadata);
  }

  /** Subscribes to `names` of `typeUrl` (the wildcard when none are given, for CDS and LDS). */
  public subscribe(typeUrl: string, names: readonly string[] = []): void {
    this.change({ type_url: typeUrl, resource_names_subscribe: names });
  }

  /** Responses of `typeUrl` received so far, oldest first. */
  public of(typeUrl: string): DeltaDiscoveryResponse[] {
    return this.responses.filter((r) => r.type_url === typeUrl);
  }

  /** The resources of `response`, unpacked, by name. */
  public static resources(response: DeltaDiscoveryResponse): Map<string, PlainMessage> {
    return new Map(response.resources.map((r) => [r.name, unpackResource(r.resource)]));
  }

  public ack(response: DeltaDiscoveryResponse): void {
    this.change({ type_url: response.type_url, response_nonce: response.nonce });
  }

  private change(request: Partial<Omit<DeltaDiscoveryRequest, 'node'>> & { readonly type_url: string }): void {
    this.write({ resource_names_subscribe: [], resource_names_unsubscribe: [], initial_resource_versions: {}, response_nonce: '', ...request });
  }
}
