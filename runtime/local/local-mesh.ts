/**
 * A running local mesh: the control plane, the sample apps, one sidecar per
 * app replica and the gateways, as child processes of this one, all derived
 * from the synthesized manifests.
 *
 * Start order:
 * 1. the control plane (`meshform control-plane` on `<state>/config`), until /ready;
 * 2. together: the apps (`meshform sample`, until their port accepts
 *    connections), the sidecars and the gateways (`meshform proxy`, until admin
 *    /ready, i.e. their first config from the control plane is applied).
 * Any child that dies while the mesh runs is reported (name, how it ended, last
 * output lines) through {@link LocalMesh.failed}; the owner stops the rest.
 *
 * State directory layout: `config/` (what the control plane watches: see
 * `local-config.ts`), `logs/<process>.log` (each child's output).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_TRUST_DOMAIN } from '../ca';
import type { YamlDocument } from '../config/yaml-files';
import type { AdsProtocol } from '../proxy/xds-client';
import { launcherProxyIdentity } from '../control-plane/ca-wiring';
import { ManifestFile, writeGenerated, writeManifests } from './local-config';
import { countProxies, ingressUrl, LocalPlan, LocalProxy, LocalReplica, LocalRouter, planLocalMesh } from './local-plan';
import { SAMPLE_OUTBOUND_PORT } from './local-programs';
import { meshformCommand } from './meshform-bin';
import { checkBindable, pickFreePorts, PlannedBind } from './port-check';
import { describeExit, ProcessSupervisor, SupervisedProcess, UnexpectedExit } from './process-supervisor';
import { httpProbe, tcpProbe, waitUntil } from './readiness';
import { ProgressDisplay, StatusRow } from './status-display';
import { LocalTopology, readTopology } from './topology';

export const DEFAULT_STATE_DIR = path.join('.meshform', 'local');
export const DEFAULT_XDS_PORT = 15010;
export const DEFAULT_MONITORING_PORT = 15014;
/** First admin port of the proxies (the i-th proxy gets base + i). */
export const DEFAULT_ADMIN_BASE_PORT = 15100;
/** How long one start-up step may take. */
export const DEFAULT_STEP_DEADLINE_MS = 60_000;
const CONTROL_PLANE_HOST = '127.0.0.1';

export interface LocalMeshOptions {
  /** The synthesized manifests. */
  readonly files: readonly ManifestFile[];
  /** @default '.meshform/local' */
  readonly stateDir?: string;
  /** The B of 127.B.x.N. @default 0 */
  readonly addressBlock?: number;
  /** Where the ingress gateway listens. @default '127.0.0.1' */
  readonly ingressHost?: string;
  /** Local port of gateway server ports, by declared port. @default privileged ports + 8000 */
  readonly gatewayPorts?: ReadonlyMap<number, number>;
  /** 0: any free port. @default 15010 */
  readonly xdsPort?: number;
  /** 0: any free port. @default 15014 */
  readonly monitoringPort?: number;
  /** 0: free ports picked for each proxy. @default 15100 */
  readonly adminBasePort?: number;
  /** The control plane's push debounce. @default 100 */
  readonly debounceMs?: number;
  /** Added to every child's environment (e.g. the samples' timeouts). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 60000 */
  readonly stepDeadlineMs?: number;
  /** Progress and notes. @default ignore */
  readonly write?: (text: string) => void;
  /** Control-plane log lines at warn level or above (config errors). @default write them */
  readonly onControlPlaneWarning?: (line: string) => void;
  /**
   * Run the mesh CA with the control plane (root kept in `<state>/ca`) and give
   * every proxy its service account's identity, so mTLS works as in a cluster
   * (auto mTLS, PeerAuthentication modes). Without it the proxies are plaintext.
   * @default true
   */
  readonly mtls?: boolean;
  /** The proxies' ADS flavour: delta (virtual hosts over VHDS) or state of the world. @default 'delta' */
  readonly xdsProtocol?: AdsProtocol;
  /** Cancels the start: what was started is stopped and `start` rejects. @default none */
  readonly signal?: AbortSignal;
}

/** Reads the manifests of a directory or file list as {@link ManifestFile}s. */
export function manifestFiles(files: readonly string[], read: (file: string) => YamlDocument[]): ManifestFile[] {
  return files.map((f) => ({ name: path.basename(f), documents: read(f) }));
}

export class LocalMesh {
  /** Starts everything; on failure stops what was started and rethrows. */
  public static async start(options: LocalMeshOptions): Promise<LocalMesh> {
    const write = options.write ?? (() => undefined);
    const stateDir = path.resolve(options.stateDir ?? DEFAULT_STATE_DIR);
    const topology = readTopology(options.files.flatMap((f) => f.documents));
    const proxies = countProxies(topology);

    const adminBase = options.adminBasePort ?? DEFAULT_ADMIN_BASE_PORT;
    const zeroPorts = (adminBase === 0 ? proxies : 0) + (options.xdsPort === 0 ? 1 : 0) + (options.monitoringPort === 0 ? 1 : 0);
    const free = await pickFreePorts(zeroPorts);
    const xdsPort = options.xdsPort === 0 ? free.pop()! : options.xdsPort ?? DEFAULT_XDS_PORT;
    const monitoringPort = options.monitoringPort === 0 ? free.pop()! : options.monitoringPort ?? DEFAULT_MONITORING_PORT;
    const plan = planLocalMesh(topology, {
      addressBlock: options.addressBlock,
      ingressHost: options.ingressHost,
      gatewayPorts: options.gatewayPorts,
      adminPort: (i) => (adminBase === 0 ? free[i] : adminBase + i),
    });
    for (const note of plan.notes) write(`note: ${note}\n`);

    await checkBindable(plannedBinds(plan, xdsPort, monitoringPort));

    const configDir = path.join(stateDir, 'config');
    const logDir = path.join(stateDir, 'logs');
    fs.rmSync(configDir, { recursive: true, force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
    writeManifests(configDir, options.files, plan);
    writeGenerated(configDir, topology, plan);

    const mesh = new LocalMesh(topology, plan, stateDir, xdsPort, monitoringPort, options);
    try {
      options.signal?.throwIfAborted();
      await mesh.boot();
      options.signal?.throwIfAborted();
    } catch (e) {
      await mesh.stop();
      throw e;
    }
    return mesh;
  }

  /** The ingress gateway's URL, e.g. `http://127.0.0.1:8080`. */
  public readonly ingressUrl: string | undefined;
  /** Resolves with the first child that exits while the mesh is not being stopped. */
  public readonly failed: Promise<UnexpectedExit>;
  public readonly configDir: string;
  public readonly logDir: string;
  private readonly supervisor = new ProcessSupervisor();
  private readonly proxyProcesses = new Map<string, SupervisedProcess>();
  private firstFailure: UnexpectedExit | undefined;
  private readonly write: (text: string) => void;
  private readonly deadline: number;

  private constructor(
    public readonly topology: LocalTopology,
    public readonly plan: LocalPlan,
    public readonly stateDir: string,
    public readonly xdsPort: number,
    public readonly monitoringPort: number,
    private readonly options: LocalMeshOptions,
  ) {
    this.ingressUrl = ingressUrl(plan);
    this.configDir = path.join(stateDir, 'config');
    this.logDir = path.join(stateDir, 'logs');
    this.write = options.write ?? (() => undefined);
    this.deadline = options.stepDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS;
    this.failed = new Promise((resolve) => this.supervisor.onUnexpectedExit((exit) => {
      this.firstFailure ??= exit;
      resolve(exit);
    }));
  }

  /** Whether the CA runs and proxies get workload certificates. */
  public get mtls(): boolean {
    return this.options.mtls ?? true;
  }

  /** The mesh CA's directory (its root is kept there between runs). */
  public get caDir(): string {
    return path.join(this.stateDir, 'ca');
  }

  /** The control plane's monitoring base URL. */
  public get monitoringUrl(): string {
    return `http://${CONTROL_PLANE_HOST}:${this.monitoringPort}`;
  }

  /** Every child process, in start order. */
  public get processes(): readonly SupervisedProcess[] {
    return this.supervisor.processes;
  }

  private spawn(name: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): SupervisedProcess {
    const { command, args: full } = meshformCommand(args);
    return this.supervisor.start({
      name,
      command,
      args: full,
      env: { ...(this.options.env ?? {}), ...env },
      logFile: path.join(this.logDir, `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.log`),
    });
  }

  /** Waits for `check`, giving up when `child` (or any child) has exited unexpectedly. */
  private async waitFor(child: SupervisedProcess, what: string, check: () => Promise<boolean>): Promise<void> {
    await waitUntil(check, {
      what,
      deadlineMs: this.deadline,
      giveUp: () => {
        if (this.options.signal?.aborted) return `cancelled (${String(this.options.signal.reason ?? 'aborted')})`;
        const failed = child.exit ? { child, ...child.exit, lastLines: child.lastLines() } : this.firstFailure;
        return failed ? describeFailure(failed) : undefined;
      },
    });
  }

  private async boot(): Promise<void> {
    const steps = new ProgressDisplay(2, this.write);
    await steps.run(`control plane on xDS ${CONTROL_PLANE_HOST}:${this.xdsPort}, monitoring :${this.monitoringPort}`, async () => {
      const cp = this.spawn('control-plane', [
        'control-plane', '--config', this.configDir,
        '--xds-port', String(this.xdsPort), '--monitoring-port', String(this.monitoringPort),
        '--listen', CONTROL_PLANE_HOST, '--debounce-ms', String(this.options.debounceMs ?? 100),
        ...(this.mtls ? ['--ca-dir', this.caDir] : []),
      ]);
      const warn = this.options.onControlPlaneWarning ?? ((line: string) => this.write(`control-plane: ${line}\n`));
      cp.onLine((line) => {
        if (/^\S+ (warn|error) /.test(line)) warn(line);
      });
      await this.waitFor(cp, 'control plane /ready', async () => (await httpProbe(`${this.monitoringUrl}/ready`))?.status === 200);
    });

    // Apps, sidecars and gateways start together: a proxy's readiness is its
    // first xDS config, which does not need the app, and on a 2-core machine
    // overlapping the processes' start-up halves the time to a ready mesh.
    // "Ready" is announced only once every one of them is.
    const sidecars = this.plan.replicas.filter((r): r is LocalReplica & { proxy: LocalProxy } => r.proxy !== undefined);
    const label = `${this.plan.replicas.length} app(s), ${sidecars.length} sidecar(s), ${this.plan.routers.length} gateway(s)`;
    await steps.run(label, async () => {
      const t0 = Date.now();
      const group = async (what: string, work: Array<Promise<void>>): Promise<void> => {
        await Promise.all(work);
        this.write(`      ${work.length} ${what} ready (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      };
      await Promise.all([
        group('app(s)', this.plan.replicas.map((r) => this.startApp(r))),
        group('sidecar(s)', sidecars.map((r) => this.startProxy(r.podName, r.proxy, 'sidecar'))),
        group('gateway(s)', this.plan.routers.map((r) => this.startProxy(r.podName, r.proxy, 'router', r))),
      ]);
    });
    this.write(`local mesh ready in ${steps.elapsed()}\n`);
  }

  private async startApp(r: LocalReplica): Promise<void> {
    // The sample listens on one port: its definition's default (mapped), else the first.
    const port = r.ports.find((p) => p.declared === 9080 || p.declared === 80) ?? r.ports[0];
    if (!port) throw new Error(`${r.podName}: the app declares no port to listen on`);
    const egress = r.egressPorts.find((p) => p.local === SAMPLE_OUTBOUND_PORT);
    const app = this.spawn(`app ${r.podName}`, [
      'sample', r.program.sample, '--version', r.program.version, '--listen', `${r.appIp}:${port.local}`,
    ], {
      POD_NAME: r.podName,
      CLUSTER_NAME: 'local',
      ...(egress ? { MESH_PROXY: `http://${r.egressIp}:${egress.local}` } : {}),
    });
    await this.waitFor(app, `${r.podName} app on ${r.appIp}:${port.local}`, () => tcpProbe(r.appIp, port.local));
  }

  private async startProxy(pod: string, proxy: LocalProxy, type: 'sidecar' | 'router', router?: LocalRouter): Promise<void> {
    const labels = Object.entries(proxy.labels).map(([k, v]) => `${k}=${v}`).join(',');
    // The identity a cluster gives the pod (its service account): flags, and a bootstrap token in the environment.
    const identity = this.mtls
      ? launcherProxyIdentity(this.caDir, { trustDomain: DEFAULT_TRUST_DOMAIN, namespace: proxy.namespace, serviceAccount: proxy.serviceAccount })
      : { args: [], env: {} };
    const child = this.spawn(`proxy ${pod}`, [
      'proxy',
      '--xds-address', `${CONTROL_PLANE_HOST}:${this.xdsPort}`,
      '--node-id', proxy.nodeId,
      '--labels', labels,
      '--namespace', proxy.namespace,
      '--admin-port', String(proxy.adminPort),
      // One process per proxy on a small machine; `meshform proxy` announces INTERCEPTION_MODE NONE itself.
      '--concurrency', '1',
      '--drain-ms', '500',
      '--xds-protocol', this.options.xdsProtocol ?? 'delta',
      ...identity.args,
    ], identity.env);
    this.proxyProcesses.set(proxy.nodeId, child);
    const what = type === 'router' && router ? `gateway ${pod} (${router.listeners.map((l) => `${l.bind}:${l.local}`).join(', ')})` : `sidecar ${pod}`;
    await this.waitFor(child, `${what} admin /ready on :${proxy.adminPort}`, async () => (await httpProbe(`http://127.0.0.1:${proxy.adminPort}/ready`))?.status === 200);
  }

  /** The status table's rows: one per replica and per gateway. */
  public async status(): Promise<StatusRow[]> {
    const syncz = await httpProbe(`${this.monitoringUrl}/debug/syncz`);
    const sync = new Map<string, string>();
    if (syncz?.status === 200) {
      try {
        for (const p of JSON.parse(syncz.body) as Array<{ nodeId: string; types: Record<string, { status: string }> }>) {
          const states = Object.values(p.types).map((t) => t.status);
          const worst = ['NACKED', 'NOT SENT', 'STALE'].find((s) => states.includes(s)) ?? (states.length > 0 ? 'SYNCED' : 'NOT SENT');
          sync.set(p.nodeId, worst);
        }
      } catch {
        // an unreadable answer shows as "unknown" below
      }
    }
    const proxyState = async (proxy: LocalProxy | undefined): Promise<[string, string, string]> => {
      if (!proxy) return ['-', '-', '-'];
      const ready = (await httpProbe(`http://127.0.0.1:${proxy.adminPort}/ready`))?.status === 200;
      return [ready ? 'ready' : 'not ready', syncz ? sync.get(proxy.nodeId) ?? 'not connected' : 'unknown', `127.0.0.1:${proxy.adminPort}`];
    };
    const rows: StatusRow[] = [];
    for (const r of this.plan.replicas) {
      const [proxyReady, xdsSynced, admin] = await proxyState(r.proxy);
      rows.push({
        workload: r.podName,
        version: r.workload.version,
        address: r.ports.map((p) => `${r.podIp}:${p.local}`).join(', '),
        proxyReady,
        xdsSynced,
        admin,
      });
    }
    for (const g of this.plan.routers) {
      const [proxyReady, xdsSynced, admin] = await proxyState(g.proxy);
      rows.push({
        workload: g.podName,
        version: '-',
        address: g.listeners.map((l) => `${l.bind}:${l.local}`).join(', ') || g.podIp,
        proxyReady,
        xdsSynced,
        admin,
      });
    }
    return rows;
  }

  /**
   * Serves new manifests (a re-synthesis): they replace the synthesized files in
   * the config directory, localized with the running plan, and the control
   * plane pushes the change; no process restarts. Returns what differs in the
   * topology (workloads, replicas, ports), which needs a restart to run.
   */
  public applyManifests(files: readonly ManifestFile[]): string[] {
    const next = readTopology(files.flatMap((f) => f.documents));
    writeManifests(this.configDir, files, this.plan);
    return topologyChanges(this.topology, next);
  }

  /** Stops every process (SIGTERM, then SIGKILL after the grace period). */
  public async stop(graceMs?: number): Promise<void> {
    await this.supervisor.stopAll(graceMs);
  }
}

/** `proxy reviews-v2-local-00001 exited with code 1; its last output:` and the lines. */
export function describeFailure(failure: UnexpectedExit): string {
  const lines = failure.lastLines.slice(-10).map((l) => `    ${l}`).join('\n');
  return `${failure.child.name} ${describeExit(failure)}${lines ? `; its last output:\n${lines}` : ' (no output)'}`;
}

/** Every address the plan binds, with who binds it. */
export function plannedBinds(plan: LocalPlan, xdsPort: number, monitoringPort: number): PlannedBind[] {
  const binds: PlannedBind[] = [
    { host: CONTROL_PLANE_HOST, port: xdsPort, owner: 'control plane xDS' },
    { host: CONTROL_PLANE_HOST, port: monitoringPort, owner: 'control plane monitoring' },
  ];
  for (const r of plan.replicas) {
    for (const p of r.ports) {
      binds.push({ host: r.appIp, port: p.local, owner: `app ${r.podName}` });
      if (r.proxy) binds.push({ host: r.podIp, port: p.local, owner: `sidecar ${r.podName} inbound` });
    }
    for (const p of r.egressPorts) binds.push({ host: r.egressIp, port: p.local, owner: `sidecar ${r.podName} egress` });
    if (r.proxy) binds.push({ host: '127.0.0.1', port: r.proxy.adminPort, owner: `sidecar ${r.podName} admin` });
  }
  for (const g of plan.routers) {
    const seen = new Set<string>();
    for (const l of g.listeners) {
      const key = `${l.bind}:${l.local}`;
      if (seen.has(key)) continue; // several Gateways may share a server port
      seen.add(key);
      binds.push({ host: l.bind, port: l.local, owner: `gateway ${g.podName}` });
    }
    binds.push({ host: '127.0.0.1', port: g.proxy.adminPort, owner: `gateway ${g.podName} admin` });
  }
  return binds;
}

/** What differs between two topologies in what runs (not in routing). */
export function topologyChanges(before: LocalTopology, after: LocalTopology): string[] {
  const shape = (t: LocalTopology): Map<string, string> => {
    const m = new Map<string, string>();
    for (const w of t.workloads) m.set(`Deployment ${w.namespace}/${w.deployment}`, JSON.stringify([w.replicas, w.ports, w.labels, w.injected]));
    for (const s of t.services) m.set(`Service ${s.namespace}/${s.name}`, JSON.stringify([s.ports, s.selector]));
    for (const g of t.gateways) m.set(`gateway Deployment ${g.namespace}/${g.deployment}`, JSON.stringify([g.replicas, g.labels]));
    for (const g of t.gatewayObjects) m.set(`Gateway ${g.namespace}/${g.name}`, JSON.stringify(g.servers.map((s) => s.port)));
    return m;
  };
  const a = shape(before);
  const b = shape(after);
  const out: string[] = [];
  for (const [k, v] of a) {
    if (!b.has(k)) out.push(`${k} removed`);
    else if (b.get(k) !== v) out.push(`${k} changed`);
  }
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k} added`);
  return out;
}
