/**
 * `meshform control-plane`: serves the mesh described by a directory of YAML
 * (Istio resources and Kubernetes Services, EndpointSlices, ...) over xDS to
 * Envoy, proxyless gRPC clients and meshform's proxy, watching the directory
 * for changes. Runs until SIGINT or SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_DEBOUNCE_MS, DEFAULT_LISTEN, DEFAULT_MONITORING_PORT, startControlPlane,
} from '../control-plane';
import { DEFAULT_HEAP_GROWTH_PERCENT, limitHeapGrowth } from '../control-plane/heap-growth';
import { lineLogger } from '../control-plane/logger';
import { CliContext, UsageError } from './cli-context';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0..65535, got '${value}'`);
  return n;
}

function percent(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of percent >= 0, got '${value}'`);
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of milliseconds >= 0, got '${value}'`);
  return n;
}

interface ControlPlaneFlags {
  config: string;
  xdsPort: number;
  listen: string;
  monitoringPort: number;
  debounceMs: number;
  /** `--no-vhds` sets it false. */
  vhds: boolean;
  heapGrowthPercent: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  caDir?: string;
  trustDomain?: string;
  bootstrapSecretFile?: string;
  pluginCaDir?: string;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function controlPlaneCommand(context: CliContext): Command {
  return new Command('control-plane')
    .description('serve the mesh in a directory of YAML over xDS (ADS, plaintext gRPC), watching it for changes')
    .requiredOption('--config <dir>', 'directory of YAML manifests (every *.yaml/*.yml below it)')
    .requiredOption('--xds-port <port>', 'port of the ADS gRPC server (0: any free port)', port)
    .option('--listen <address>', 'address the xDS and monitoring servers bind', DEFAULT_LISTEN)
    .option('--monitoring-port <port>', 'port of /metrics, /ready and /debug/* (0: any free port)', port, DEFAULT_MONITORING_PORT)
    .option('--debounce-ms <ms>', 'quiet time that coalesces bursts of config changes before pushing', milliseconds, DEFAULT_DEBOUNCE_MS)
    .option('--no-vhds', 'send Envoys on delta ADS their virtual hosts inside route configurations, not one by one over VHDS')
    .option('--heap-growth-percent <n>', 'let the heap grow to (1 + n/100) × the data live after a full collection (0: V8\'s own heuristics)', percent, DEFAULT_HEAP_GROWTH_PERCENT)
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--ca-dir <dir>', 'run the mesh CA (CreateCertificate on the xDS port, auto mTLS); its generated root is kept in DIR')
    .option('--trust-domain <domain>', 'trust domain of workload identities (with the CA)', 'cluster.local')
    .option('--bootstrap-secret-file <file>', 'HMAC secret of the bootstrap tokens proxies present (created if missing); runs the CA too')
    .option('--plugin-ca-dir <dir>', 'sign with your own CA (Istio\'s cacerts files: ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem); runs the CA too')
    .action(async (opts: ControlPlaneFlags) => {
      if (!['debug', 'info', 'warn', 'error'].includes(opts.logLevel)) throw new UsageError(`--log-level: expected debug, info, warn or error, got '${opts.logLevel}'`);
      const logger = lineLogger({ write: (line) => context.io.err(line), level: opts.logLevel });
      if (opts.heapGrowthPercent > 0) limitHeapGrowth(opts.heapGrowthPercent);
      let plane;
      try {
        plane = await startControlPlane({
          configDir: opts.config,
          xdsPort: opts.xdsPort,
          listen: opts.listen,
          monitoringPort: opts.monitoringPort,
          debounceMs: opts.debounceMs,
          vhds: opts.vhds,
          logger,
          ...(opts.caDir !== undefined || opts.bootstrapSecretFile !== undefined || opts.pluginCaDir !== undefined ? {
            ca: {
              ...(opts.caDir !== undefined ? { dir: opts.caDir } : {}),
              ...(opts.trustDomain !== undefined ? { trustDomain: opts.trustDomain } : {}),
              ...(opts.bootstrapSecretFile !== undefined ? { bootstrapSecretFile: opts.bootstrapSecretFile } : {}),
              ...(opts.pluginCaDir !== undefined ? { pluginCaDir: opts.pluginCaDir } : {}),
            },
          } : {}),
        });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const signal = await untilSignal();
      logger.info(`control plane: ${signal} received, shutting down`);
      await plane.close();
    });
}
