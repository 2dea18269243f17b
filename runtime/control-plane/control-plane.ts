/**
 * The control plane, wired: a directory of YAML (read and watched) feeds the
 * config store; store changes are debounced and turned into per-proxy
 * snapshots for the proxies they can affect; the ADS server serves them over
 * plaintext gRPC; a monitoring server exposes metrics, readiness and debug views.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Registry } from 'prom-client';
import { ConfigStore } from '../config/config-store';
import { FileConfigSource } from '../config/file-source';
import { SnapshotCache } from '../xds/cache/snapshot-cache';
import { createXdsServer, XdsServer } from '../xds/server/xds-server';
import type { TranslateOptions } from '../xds/translate';
import { ChangeDebouncer } from './debouncer';
import { configDump, configErrorsView, syncView } from './debug-views';
import { ControlPlaneLogger, lineLogger } from './logger';
import { ControlPlaneMetrics } from './metrics';
import { MonitoringServer, startMonitoringServer } from './monitoring-server';
import { ObservedStatusRegistry } from './observed-status';
import { ProxySnapshots, TranslateFn } from './proxy-snapshots';
import { SnapshotValidator, VALIDATE_RESOURCES } from './snapshot-validation';
import { CaOptions, RunningCa, startCaService } from './ca-wiring';

/** Istio's plaintext xDS port. */
export const DEFAULT_XDS_PORT = 15010;
/** Istio's control-plane monitoring port. */
export const DEFAULT_MONITORING_PORT = 15014;
export const DEFAULT_LISTEN = '127.0.0.1';
export const DEFAULT_DEBOUNCE_MS = 100;

export interface ControlPlaneOptions {
  /** Directory of YAML manifests (every `*.yaml`/`*.yml` below it), read and watched. */
  readonly configDir: string;
  /** Port of the ADS server (0: any free port). @default 15010 */
  readonly xdsPort?: number;
  /** Address both servers bind. @default '127.0.0.1' */
  readonly listen?: string;
  /** Port of the monitoring server (0: any free port). @default 15014 */
  readonly monitoringPort?: number;
  /** Quiet time that coalesces bursts of config changes before pushing. @default 100 */
  readonly debounceMs?: number;
  /** Quiet time after file events before the directory is read again. @default 100 */
  readonly settleMs?: number;
  /** Namespace of objects that name none. @default 'default' */
  readonly defaultNamespace?: string;
  /** @default one plain-text line per event on standard error */
  readonly logger?: ControlPlaneLogger;
  readonly translateOptions?: TranslateOptions;
  /** Checks each snapshot before it is published. @default VALIDATE_RESOURCES, the per-type xDS validators */
  readonly validateSnapshot?: SnapshotValidator;
  /** Replaces the translation (tests). @default translate */
  readonly translate?: TranslateFn;
  /**
   * Envoy-style proxies on delta ADS get their virtual hosts one by one (VHDS),
   * so a VirtualService change sends only the virtual hosts it changes. @default true
   */
  readonly vhds?: boolean;
  /**
   * Runs the mesh CA (CreateCertificate on the xDS port) and turns on auto
   * mTLS in the translation. @default none: plaintext config, no CA
   */
  readonly ca?: CaOptions;
}

export interface ControlPlane {
  readonly xdsPort: number;
  readonly monitoringPort: number;
  readonly store: ConfigStore;
  readonly cache: SnapshotCache;
  readonly status: ObservedStatusRegistry;
  readonly registry: Registry;
  readonly proxies: ProxySnapshots;
  /** The CA, when `ca` was given. */
  readonly ca?: RunningCa;
  /** Whether the initial config load is done. */
  ready(): boolean;
  /** Stops watching, ends every stream and closes both servers. */
  close(): Promise<void>;
}

/** Starts a control plane; resolves once both servers listen and the initial config is loaded. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const directory = path.resolve(options.configDir);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new Error(`--config: ${options.configDir} is not a directory`);
  }
  const logger = options.logger ?? lineLogger({ write: (line) => process.stderr.write(line) });
  const ca = options.ca ? await startCaService(options.ca, logger) : undefined;
  const translateOptions = ca ? { ...options.translateOptions, mtls: { trustDomain: ca.trustDomain } } : options.translateOptions;
  const listen = options.listen ?? DEFAULT_LISTEN;
  const registry = new Registry();
  const store = new ConfigStore();
  const metrics = new ControlPlaneMetrics(registry, () => store.snapshot().problems.length);
  // EDS and RDS pushes carry only what changed; ProxySnapshots forgets what was sent on a NACK.
  const cache = new SnapshotCache({ partialSotwAnswers: true });
  const status = new ObservedStatusRegistry();
  const proxies = new ProxySnapshots({
    cache, logger, metrics,
    config: () => store.snapshot(),
    validate: options.validateSnapshot ?? VALIDATE_RESOURCES,
    ...(translateOptions ? { translateOptions } : {}),
    ...(options.translate ? { translate: options.translate } : {}),
    ...(options.vhds !== undefined ? { vhds: options.vhds } : {}),
  });
  status.observe(proxies);

  let loaded = false;
  let monitoring: MonitoringServer | undefined;
  let xds: XdsServer | undefined;
  const debouncer = new ChangeDebouncer({
    delayMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    deliver: (change) => {
      metrics.configChanges.inc();
      const { recomputed, skipped } = proxies.applyChange(change);
      logger.info(`config: version ${change.snapshot.version}: ${change.keys.size} object(s) changed (${[...change.kinds].sort().join(', ')}); `
        + `${recomputed} proxy(ies) recomputed, ${skipped} not affected`);
    },
  });

  // Config problems: logged and counted once each while they last.
  const reported = new Set<string>();
  store.onProblems((problems) => {
    for (const p of problems) {
      if (reported.has(p.message)) continue;
      reported.add(p.message);
      metrics.configErrorsTotal.inc();
      logger.warn(`config error: ${p.message}`);
    }
  });
  store.onChange((change) => {
    const current = new Set(change.snapshot.problems.map((p) => p.message));
    for (const m of [...reported]) if (!current.has(m)) reported.delete(m);
    if (loaded) debouncer.push(change);
  });

  const close = async (): Promise<void> => {
    debouncer.stop();
    await store.close();
    await xds?.close();
    await monitoring?.close();
    logger.info('control plane: stopped');
  };

  try {
    monitoring = await startMonitoringServer({
      registry,
      ready: () => loaded,
      syncz: () => syncView(status, cache),
      configDump: (id) => configDump(cache, id),
      configErrors: () => configErrorsView(store.snapshot().problems, proxies.problems()),
    }, listen, options.monitoringPort ?? DEFAULT_MONITORING_PORT);
    logger.info(`monitoring: listening on ${listen}:${monitoring.port}`);

    await store.addSource(new FileConfigSource({
      directory,
      settleMs: options.settleMs,
      ...(options.defaultNamespace !== undefined ? { defaultNamespace: options.defaultNamespace } : {}),
      onWatchError: (e) => logger.warn(`config: watching ${directory}: ${e.message}`),
    }));
    const initial = store.snapshot();
    loaded = true;
    logger.info(`config: loaded ${initial.size} object(s) from ${directory} (version ${initial.version}, ${initial.problems.length} problem(s))`);

    xds = createXdsServer({
      cache, logger, status, metricsRegistry: registry,
      hooks: { onStreamOpened: (node, protocol) => proxies.connect(node, protocol), onStreamClosed: (node) => proxies.disconnect(node) },
      ...(ca ? { services: [ca.service] } : {}),
    });
    const xdsPort = await xds.listen(listen, options.xdsPort ?? DEFAULT_XDS_PORT);
    logger.info(`xds: listening on ${listen}:${xdsPort} (plaintext gRPC, ADS state-of-the-world and delta${ca ? `; CA CreateCertificate for ${ca.trustDomain}` : ''})`);
    const monitoringPort = monitoring.port;
    return { xdsPort, monitoringPort, store, cache, status, registry, proxies, ...(ca ? { ca } : {}), ready: () => loaded, close };
  } catch (e) {
    await close();
    throw e;
  }
}
