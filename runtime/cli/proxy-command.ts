/**
 * `meshform proxy`: the data-plane proxy. Connects to the control plane over
 * ADS, binds the listeners LDS gives it (gateway ports, Sidecar listeners with
 * `bind` and `captureMode: NONE`), serves admin on 127.0.0.1, writes an access
 * log line per request to standard output, and drains on SIGTERM/SIGINT or
 * `/quitquitquit`.
 */
import { Command, InvalidArgumentError } from 'commander';
// Not the data-plane barrel: the `--concurrency` primary (admin + IPC, no traffic) needs only the runtime wiring.
import { isProxyWorker, runProxyWorker, startProxy, ProxyRuntimeOptions } from '../proxy/data-plane/proxy-runtime';
import type { DataPlaneLogLevel } from '../proxy/data-plane';
import type { AdsProtocol } from '../proxy/xds-client';
import { buildProxyNode, ProxyNodeError } from '../proxy/node';
import { CliContext, UsageError } from './cli-context';
import { proxyIdentityOptions } from './proxy-identity-flags';
import { packageVersion } from './version';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0..65535, got '${value}'`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError(`expected a whole number 1..256, got '${value}'`);
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of milliseconds >= 0, got '${value}'`);
  return n;
}

function hostPort(value: string): string {
  if (!/^[^\s:]+:\d{1,5}$/.test(value) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(value)) {
    throw new InvalidArgumentError(`expected HOST:PORT, got '${value}'`);
  }
  return value;
}

/** Parses `--xds-protocol`. */
export function adsProtocol(value: string): AdsProtocol {
  if (value !== 'sotw' && value !== 'delta') throw new InvalidArgumentError(`expected sotw or delta, got '${value}'`);
  return value;
}

interface ProxyFlags {
  xdsAddress: string;
  xdsProtocol: AdsProtocol;
  nodeId: string;
  labels?: string;
  namespace?: string;
  adminPort: number;
  concurrency: number;
  drainMs: number;
  accessLog: boolean;
  logLevel: DataPlaneLogLevel;
  bootstrapTokenFile?: string;
  serviceAccount?: string;
  trustDomain?: string;
}

const LEVELS: readonly DataPlaneLogLevel[] = ['debug', 'info', 'warn', 'error'];

export function proxyCommand(context: CliContext): Command {
  return new Command('proxy')
    .description('run the data-plane proxy: xDS from the control plane, listeners, routing, clusters, admin on 127.0.0.1')
    .requiredOption('--xds-address <host:port>', 'the control plane\'s ADS address (Istio: 15010)', hostPort)
    .requiredOption('--node-id <id>', 'node id in Istio\'s form, e.g. sidecar~127.0.0.10~productpage-v1-abc.default~default.svc.cluster.local')
    .option('--xds-protocol <sotw|delta>', 'state-of-the-world or delta ADS (on delta, virtual hosts come one by one over VHDS)', adsProtocol, 'sotw')
    .option('--labels <k=v,...>', 'workload labels (select Sidecar, DestinationRule and policy resources)')
    .option('--namespace <ns>', 'namespace (must agree with the node id)')
    .option('--admin-port <port>', 'admin port on 127.0.0.1 (0: any free port)', port, 15000)
    .option('--concurrency <n>', 'worker processes sharing the listeners (1: single process)', positive, 1)
    .option('--drain-ms <ms>', 'how long a drain lets requests in flight finish', milliseconds, 5000)
    .option('--no-access-log', 'do not write an access log line per request to standard output')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--bootstrap-token-file <file>', 'bootstrap token proving this workload\'s identity to the mesh CA (or env MESHFORM_BOOTSTRAP_TOKEN); without one the proxy is plaintext-only')
    .option('--service-account <sa>', 'service account of the workload (its SPIFFE ID spiffe://<trust domain>/ns/<ns>/sa/<sa>)', 'default')
    .option('--trust-domain <domain>', 'trust domain of the mesh', 'cluster.local')
    .action(async (opts: ProxyFlags) => {
      if (!LEVELS.includes(opts.logLevel)) throw new UsageError(`--log-level: expected debug, info, warn or error, got '${opts.logLevel}'`);
      let node;
      try {
        node = buildProxyNode({
          nodeId: opts.nodeId,
          ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          interceptionMode: 'NONE',
        });
      } catch (e) {
        if (e instanceof ProxyNodeError) throw new UsageError(e.message);
        throw e;
      }
      const minimum = LEVELS.indexOf(opts.logLevel);
      const worker = isProxyWorker();
      const tag = worker ? `proxy[worker ${process.pid}]` : 'proxy';
      let exited: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (exited = resolve));
      const options: ProxyRuntimeOptions = {
        xdsAddress: opts.xdsAddress,
        xdsProtocol: opts.xdsProtocol,
        node,
        adminPort: opts.adminPort,
        concurrency: opts.concurrency,
        drainTimeoutMs: opts.drainMs,
        version: packageVersion(),
        logger: (level, message) => {
          if (LEVELS.indexOf(level) >= minimum) context.io.err(`${new Date().toISOString()} ${level.padEnd(5)} ${tag}: ${message}\n`);
        },
        ...(opts.accessLog ? { accessLog: (text: string) => context.io.out(text) } : {}),
        onExit: () => exited(),
        ...proxyIdentityOptions(opts, node.namespace, process.env),
      };
      if (options.workloadIdentity === undefined && !worker) {
        context.io.err(`${new Date().toISOString()} info  proxy: no bootstrap token: plaintext only (no workload certificate, no mTLS)\n`);
      }
      if (worker) {
        await runProxyWorker(options);
        await new Promise<void>(() => undefined); // runs until drained (the worker exits itself)
        return;
      }
      let proxy;
      try {
        proxy = await startProxy(options);
      } catch (e) {
        throw new UsageError(`proxy: ${(e as Error).message}`);
      }
      context.io.err(`${new Date().toISOString()} info  proxy: admin on 127.0.0.1:${proxy.adminPort}, xDS from ${opts.xdsAddress}, node ${node.id}\n`);
      const onSignal = (signal: NodeJS.Signals): void => {
        context.io.err(`${new Date().toISOString()} info  proxy: ${signal} received, draining\n`);
        void proxy.drain().then(() => exited());
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      await done;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
}
