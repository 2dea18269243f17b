/**
 * A running proxy: ADS client + data plane + admin server, in one process, or
 * with `concurrency` > 1 one worker process per core (node:cluster; workers
 * share the listening sockets) and the admin server in the primary, which asks
 * the workers over IPC and sums what they report.
 */
import * as nodeCluster from 'cluster';
import type { Worker } from 'cluster';
import { AdminServer, AdminSource, CertificateSet, DEFAULT_ADMIN_PORT, credentialCertificateSets, isReady, localAdminSource, serverInfo, workloadCertificateSets } from '../admin';
import { mergeSeries, mergeStats, MetricSeriesData, StatsMap } from '../metrics';
import type { ProxyNode } from '../node';
import type { AdsClient, AdsProtocol } from '../xds-client';
import type { DataPlane, DataPlaneLogger } from './data-plane';
import type { WorkloadCertificates } from '../identity';
import type { WorkloadIdentity } from '../../ca';

/** How the proxy obtains its workload certificate (mTLS). */
export interface ProxyWorkloadIdentityOptions {
  /** The identity the token proves (namespace from the node, service account, trust domain). */
  readonly identity: WorkloadIdentity;
  /** Bootstrap token handed over by the launcher. */
  readonly token: string;
  /** The CA, `host:port`. @default the xDS address */
  readonly caAddress?: string;
  /** Requested certificate lifetime, seconds. @default 0 (the CA's default) */
  readonly validitySeconds?: number;
}

export interface ProxyRuntimeOptions {
  /** The control plane, `host:port`. */
  readonly xdsAddress: string;
  readonly node: ProxyNode;
  /** Admin port on 127.0.0.1; 0 picks one. @default 15000 */
  readonly adminPort?: number;
  /** Worker processes; 1 runs everything in this process. @default 1 */
  readonly concurrency?: number;
  /** Access-log text sink. @default none */
  readonly accessLog?: (text: string) => void;
  /** Write access-log lines in batches. @default true */
  readonly batchAccessLog?: boolean;
  /** @default drops everything */
  readonly logger?: DataPlaneLogger;
  /** How long a drain lets requests in flight finish, ms. @default 5000 */
  readonly drainTimeoutMs?: number;
  /** @default 15000 */
  readonly initialFetchTimeoutMs?: number;
  /** ADS flavour: state of the world, or delta (virtual hosts then come over VHDS). @default 'sotw' */
  readonly xdsProtocol?: AdsProtocol;
  /** Reported by /server_info. @default '0.0.0' */
  readonly version?: string;
  /** Called once the proxy stopped after /quitquitquit or a signal-triggered drain. @default none */
  readonly onExit?: () => void;
  /** Obtain a workload certificate and serve mTLS. @default none: plaintext only */
  readonly workloadIdentity?: ProxyWorkloadIdentityOptions;
}

export interface ProxyRuntime {
  readonly adminPort: number;
  /** In-process mode only. */
  readonly dataPlane: DataPlane | undefined;
  readonly ads: AdsClient | undefined;
  /** In-process mode with a workload identity only. */
  readonly certificates?: WorkloadCertificates;
  /** Graceful: stop accepting, let requests finish, stop. */
  drain(): Promise<void>;
  /** Immediate stop. */
  close(): Promise<void>;
}

/** Starts the data plane of this process (single-process mode, or one worker). */
async function startLocal(o: ProxyRuntimeOptions): Promise<{ ads: AdsClient; dataPlane: DataPlane; certificates?: WorkloadCertificates }> {
  let certificates: WorkloadCertificates | undefined;
  if (o.workloadIdentity !== undefined) {
    const w = o.workloadIdentity;
    // Loaded only with an identity: the CA code (X.509 / ASN.1 libraries, ≈ 230 modules, 3.4 MB resident) is not needed for plaintext.
    const { WorkloadCertificates } = await import('../identity');
    certificates = new WorkloadCertificates({
      identity: w.identity, token: w.token, caAddress: w.caAddress ?? o.xdsAddress,
      ...(w.validitySeconds !== undefined ? { validitySeconds: w.validitySeconds } : {}),
      log: (level, message) => o.logger?.(level, message),
    });
    await certificates.start();
  }
  // Loaded here, not at the top: the primary of `--concurrency N` serves no
  // traffic and holds neither (≈ 140 modules, 2–3 MB resident less).
  const [{ AdsClient }, { DataPlane }] = await Promise.all([import('../xds-client'), import('./data-plane')]);
  const ads = new AdsClient({
    server: o.xdsAddress, node: o.node,
    ...(o.initialFetchTimeoutMs !== undefined ? { initialFetchTimeoutMs: o.initialFetchTimeoutMs } : {}),
    ...(o.xdsProtocol !== undefined ? { protocol: o.xdsProtocol } : {}),
  });
  const dataPlane = new DataPlane({
    store: ads.store, node: o.node,
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
    ...(o.accessLog !== undefined ? { accessLog: o.accessLog } : {}),
    ...(o.batchAccessLog !== undefined ? { batchAccessLog: o.batchAccessLog } : {}),
    ...(o.drainTimeoutMs !== undefined ? { drainTimeoutMs: o.drainTimeoutMs } : {}),
    ...(certificates !== undefined ? { identity: certificates } : {}),
  });
  ads.on('nack', (n) => o.logger?.('warn', `xDS ${n.type} version ${n.versionInfo} rejected (keeping ${n.keptVersionInfo}): ${n.message}`));
  ads.on('disconnected', (d) => o.logger?.('warn', `xDS stream ended (${d.code} ${d.details}); retrying in ${d.retryInMs} ms`));
  ads.on('ready', () => o.logger?.('info', 'initial xDS configuration applied'));
  await dataPlane.start();
  ads.start();
  return { ads, dataPlane, ...(certificates !== undefined ? { certificates } : {}) };
}

/** Starts a proxy: in this process (concurrency 1) or as the primary of worker processes. */
export async function startProxy(o: ProxyRuntimeOptions): Promise<ProxyRuntime> {
  const concurrency = Math.max(1, o.concurrency ?? 1);
  if (concurrency === 1) return startSingle(o);
  return startPrimary(o, concurrency);
}

async function startSingle(o: ProxyRuntimeOptions): Promise<ProxyRuntime> {
  const { ads, dataPlane, certificates } = await startLocal(o);
  let draining = false;
  let admin: AdminServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (graceful: boolean): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      if (graceful) await dataPlane.drain();
      else await dataPlane.close();
      certificates?.stop();
      ads.close();
      await admin?.close();
    })();
    return stopping;
  };
  const requestedPort = o.adminPort ?? DEFAULT_ADMIN_PORT;
  const source = localAdminSource({
    ads, dataPlane, version: o.version ?? '0.0.0', xdsAddress: o.xdsAddress, adminPort: requestedPort,
    quit: () => void stop(true).then(() => o.onExit?.()), draining: () => draining,
    ...(certificates !== undefined ? { certificates } : {}),
  });
  try {
    admin = await AdminServer.start({ source, port: requestedPort });
  } catch (e) {
    await stop(false);
    throw e;
  }
  return { adminPort: admin.port, dataPlane, ads, ...(certificates !== undefined ? { certificates } : {}), drain: () => stop(true), close: () => stop(false) };
}

// ---- multi-process mode -------------------------------------------------------------

type AdminQuery = 'ready' | 'configDump' | 'clusters' | 'stats' | 'istioSeries' | 'certificates';

interface QueryMessage { readonly meshformProxy: 'query'; readonly id: number; readonly what: AdminQuery }
interface ReplyMessage { readonly meshformProxy: 'reply'; readonly id: number; readonly value: unknown }
interface DrainMessage { readonly meshformProxy: 'drain' }

function isMessage(m: unknown): m is QueryMessage | ReplyMessage | DrainMessage {
  return typeof m === 'object' && m !== null && 'meshformProxy' in m;
}

/** In a worker process: runs the data plane and answers the primary's queries. */
export async function runProxyWorker(o: ProxyRuntimeOptions): Promise<void> {
  const { ads, dataPlane, certificates } = await startLocal(o);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await dataPlane.drain();
    ads.close();
    process.disconnect?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.meshformProxy === 'drain') {
      void stop();
      return;
    }
    if (m.meshformProxy !== 'query') return;
    let value: unknown;
    switch (m.what) {
      case 'ready': value = isReady(ads, dataPlane) && !stopping; break;
      case 'configDump': value = ads.configDump(); break;
      case 'clusters': value = dataPlane.renderClusters(); break;
      case 'stats': value = dataPlane.stats(); break;
      case 'istioSeries': value = dataPlane.metrics.data(); break;
      case 'certificates': value = [...workloadCertificateSets(certificates), ...credentialCertificateSets(dataPlane)].map((c) => ({ ...c, nextRotation: c.nextRotation?.getTime() })); break;
    }
    process.send?.({ meshformProxy: 'reply', id: m.id, value } satisfies ReplyMessage);
  });
}

/** Per-host counters of `/clusters` that add up across workers. */
const SUMMED_HOST_STATS = new Set(['cx_active', 'cx_connect_fail', 'cx_total', 'rq_active', 'rq_error', 'rq_success', 'rq_timeout', 'rq_total']);

/** Sums the workers' `/clusters` texts (per-host counters add up; settings and health come from the first worker). */
export function mergeClustersText(texts: readonly string[]): string {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const cut = line.lastIndexOf('::');
      const key = line.slice(0, cut);
      const value = line.slice(cut + 2);
      const stat = key.slice(key.lastIndexOf('::') + 2);
      const prev = values.get(key);
      if (prev === undefined) {
        order.push(key);
        values.set(key, value);
      } else if (SUMMED_HOST_STATS.has(stat)) {
        values.set(key, String(Number(prev) + Number(value)));
      }
    }
  }
  return order.length === 0 ? '' : `${order.map((k) => `${k}::${values.get(k)}`).join('\n')}\n`;
}

async function startPrimary(o: ProxyRuntimeOptions, concurrency: number): Promise<ProxyRuntime> {
  const cluster = nodeCluster as unknown as typeof import('cluster').default;
  const workers = new Set<Worker>();
  const waiting = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  let draining = false;
  const startedAt = Date.now();
  const fork = (): void => {
    const w = cluster.fork({ MESHFORM_PROXY_WORKER: '1' });
    workers.add(w);
    w.on('message', (m: unknown) => {
      if (isMessage(m) && m.meshformProxy === 'reply') {
        waiting.get(m.id)?.(m.value);
        waiting.delete(m.id);
      }
    });
    w.on('exit', () => {
      workers.delete(w);
      if (!draining) {
        o.logger?.('warn', `worker ${w.process.pid} exited; starting another`);
        fork();
      }
    });
  };
  for (let i = 0; i < concurrency; i++) fork();

  const ask = (w: Worker, what: AdminQuery): Promise<unknown> => new Promise((resolve) => {
    const id = nextId++;
    const timer = setTimeout(() => { waiting.delete(id); resolve(undefined); }, 2000);
    waiting.set(id, (v) => { clearTimeout(timer); resolve(v); });
    try {
      w.send({ meshformProxy: 'query', id, what } satisfies QueryMessage);
    } catch {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(undefined);
    }
  });
  const askAll = (what: AdminQuery): Promise<unknown[]> => Promise.all([...workers].map((w) => ask(w, what)));

  let admin: AdminServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (graceful: boolean): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      const exited = [...workers].map((w) => new Promise<void>((resolve) => {
        if (w.isDead()) resolve();
        else w.once('exit', () => resolve());
      }));
      for (const w of workers) {
        if (graceful) w.send({ meshformProxy: 'drain' } satisfies DrainMessage);
        else w.process.kill('SIGKILL');
      }
      await Promise.all(exited);
      await admin?.close();
    })();
    return stopping;
  };
  const adsStub = { node: o.node } as unknown as AdsClient;
  const source: AdminSource = {
    ready: async () => !draining && workers.size === concurrency && (await askAll('ready')).every((r) => r === true),
    configDump: async () => (await askAll('configDump'))[0] ?? { configs: [] },
    clusters: async () => mergeClustersText((await askAll('clusters')).filter((t): t is string => typeof t === 'string')),
    stats: async () => mergeStats((await askAll('stats')).filter((s): s is StatsMap => typeof s === 'object' && s !== null)),
    istioSeries: async () => mergeSeries((await askAll('istioSeries')).filter((s): s is MetricSeriesData[] => Array.isArray(s))),
    serverInfo: async () => serverInfo(
      { ads: adsStub, version: o.version ?? '0.0.0', xdsAddress: o.xdsAddress, adminPort: o.adminPort ?? DEFAULT_ADMIN_PORT, concurrency, draining: () => draining },
      (await askAll('ready')).every((r) => r === true) ? 'LIVE' : 'INITIALIZING', startedAt),
    // Each worker holds its own workload certificate (same identity): the first one answers.
    certificates: async () => certificateSetsOf((await askAll('certificates'))[0]),
    quit: () => void stop(true).then(() => o.onExit?.()),
  };
  try {
    admin = await AdminServer.start({ source, port: o.adminPort ?? DEFAULT_ADMIN_PORT });
  } catch (e) {
    await stop(false);
    throw e;
  }
  return { adminPort: admin.port, dataPlane: undefined, ads: undefined, drain: () => stop(true), close: () => stop(false) };
}

/** Certificate sets as a worker sent them over IPC (dates as epoch ms). */
function certificateSetsOf(value: unknown): CertificateSet[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: { certChainPem?: unknown; rootCertPem?: unknown; nextRotation?: unknown; workload?: unknown }) =>
    typeof v.certChainPem === 'string' && typeof v.rootCertPem === 'string'
      ? [{
        certChainPem: v.certChainPem, rootCertPem: v.rootCertPem,
        ...(typeof v.nextRotation === 'number' ? { nextRotation: new Date(v.nextRotation) } : {}),
        ...(v.workload === false ? { workload: false } : {}),
      }]
      : []);
}

/** Whether this process is a proxy worker forked by {@link startProxy}. */
export function isProxyWorker(): boolean {
  return process.env.MESHFORM_PROXY_WORKER === '1' && (nodeCluster as unknown as { isWorker: boolean }).isWorker;
}
