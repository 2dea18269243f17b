/**
 * `meshform up [--app stacks/main.ts | --dir dist] [--watch]`: the whole mesh on
 * this machine. Synthesizes the app (or reads the manifests of `--dir`), prints
 * what was synthesized and the analysis, then starts the control plane, the
 * sample apps, one sidecar per app replica and the ingress gateway as child
 * processes on loopback addresses (see `runtime/local/`), prints a status
 * table and the ingress URL, and runs until Ctrl-C (SIGINT) or SIGTERM, which
 * stop every child. A child that dies is reported and stops the rest (exit 1).
 *
 * With `--watch`, a change of the stack sources re-synthesizes and the control
 * plane pushes the new config to the running proxies; nothing restarts.
 */
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { findYamlFiles, readYamlFile } from '../config/yaml-files';
import {
  DEFAULT_STATE_DIR, describeFailure, LocalMesh, manifestFiles, SourceWatcher, stackSourceDirectories,
} from '../local';
import { formatStatus } from '../local/status-display';
import { analyzeFiles, formatReport } from './analyze-command';
import { adsProtocol } from './proxy-command';
import type { AdsProtocol } from '../proxy/xds-client';
import { CliContext, CliIo, EXIT_FAILURE, UsageError } from './cli-context';
import { defaultApp, formatSummary, synthesize } from './synth-command';

export interface UpOptions {
  /** The cdk8s app to synthesize. @default stacks/main.ts, else the bundled bookinfo app */
  readonly app?: string;
  /** Read these manifests instead of synthesizing. */
  readonly dir?: string;
  /** Where synthesized manifests go. @default 'dist' */
  readonly output?: string;
  readonly context?: readonly string[];
  readonly watch?: boolean;
  /** @default '.meshform/local' */
  readonly stateDir?: string;
  /** @default 0 */
  readonly addressBlock?: number;
  /** `80=18080` pairs. @default privileged ports + 8000 */
  readonly gatewayPorts?: ReadonlyMap<number, number>;
  readonly xdsPort?: number;
  readonly monitoringPort?: number;
  readonly adminBasePort?: number;
  /** Run the mesh CA and give proxies workload certificates (mTLS). @default true */
  readonly mtls?: boolean;
  /** The proxies' ADS flavour. @default 'delta' */
  readonly xdsProtocol?: AdsProtocol;
  /** Stop once the mesh is ready and the status is printed (smoke tests). @default false */
  readonly exitWhenReady?: boolean;
}

function integer(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${what} ${min}..${max}, got '${value}'`);
    return n;
  };
}

function gatewayPort(value: string, previous: Map<number, number>): Map<number, number> {
  const m = /^(\d+)=(\d+)$/.exec(value);
  const declared = Number(m?.[1]);
  const local = Number(m?.[2]);
  if (!m || declared < 1 || declared > 65535 || local < 1 || local > 65535) {
    throw new InvalidArgumentError(`expected DECLARED=LOCAL ports such as 80=18080, got '${value}'`);
  }
  return new Map([...previous, [declared, local]]);
}

/** The manifests to serve: synthesized (printing the summary and the analysis) or read from `--dir`. */
function loadManifests(options: UpOptions, io: CliIo): { files: string[]; analysisErrors: number } {
  let files: string[];
  if (options.dir !== undefined) {
    try {
      files = findYamlFiles([options.dir]);
    } catch (e) {
      throw new UsageError(`--dir: ${(e as Error).message}`);
    }
    if (files.length === 0) throw new UsageError(`--dir: no *.yaml files in ${options.dir}`);
    io.out(formatSummary(files));
  } else {
    const result = synthesize({ app: options.app ?? defaultApp(), output: options.output ?? 'dist', context: options.context ?? [] });
    if (result.output) io.err(result.output);
    files = [...result.files];
    io.out(formatSummary(files));
  }
  const report = analyzeFiles(files);
  io.out(`\nAnalysis: ${formatReport(report)}\n`);
  return { files, analysisErrors: report.errors };
}

function readFiles(files: readonly string[]) {
  return manifestFiles(files, readYamlFile);
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): { promise: Promise<NodeJS.Signals>; dispose: () => void } {
  let on: (signal: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    on = (signal) => resolve(signal);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { promise, dispose: () => { process.off('SIGINT', on); process.off('SIGTERM', on); } };
}

function tryLines(url: string | undefined): string[] {
  if (!url) return ['No ingress gateway serves HTTP: nothing to curl from outside the mesh.'];
  return [
    `Ingress: ${url}/productpage`,
    '',
    'Try:',
    `  curl -s ${url}/productpage | grep -o 'Reviews served by: <b>[^<]*'`,
    `  curl -s -H 'end-user: jason' ${url}/api/v1/products/0/reviews`,
    `  curl -s --cookie user=jason ${url}/productpage | grep -o 'reviews-v[0-9]'`,
  ];
}

/** Runs `meshform up` until the mesh has stopped; failures set `context.exitCode` or throw. */
export async function runUp(options: UpOptions, context: CliContext): Promise<void> {
  const { io } = context;
  if (options.dir !== undefined && options.app !== undefined) throw new UsageError('--app and --dir: give one or the other');
  const { files, analysisErrors } = loadManifests(options, io);
  if (analysisErrors > 0) {
    io.err('meshform up: the analysis found errors; fix them before running the mesh\n');
    context.exitCode = EXIT_FAILURE;
    return;
  }

  io.out('\nStarting the local mesh\n');
  const signal = untilSignal();
  // A signal while starting cancels the start: what was started is stopped before `start` rejects.
  const cancel = new AbortController();
  void signal.promise.then((s) => cancel.abort(`${s} received`));
  let mesh: LocalMesh;
  try {
    mesh = await LocalMesh.start({
      files: readFiles(files),
      stateDir: options.stateDir,
      addressBlock: options.addressBlock,
      gatewayPorts: options.gatewayPorts,
      xdsPort: options.xdsPort,
      monitoringPort: options.monitoringPort,
      adminBasePort: options.adminBasePort,
      mtls: options.mtls,
      ...(options.xdsProtocol !== undefined ? { xdsProtocol: options.xdsProtocol } : {}),
      write: (text) => io.out(text),
      onControlPlaneWarning: (line) => io.err(`control-plane: ${line}\n`),
      signal: cancel.signal,
    });
  } catch (e) {
    signal.dispose();
    if (cancel.signal.aborted) throw new Error(`${String(cancel.signal.reason)} while starting; every process started has been stopped`);
    throw e;
  }

  io.out(`\n${formatStatus(await mesh.status())}`);
  if (mesh.plan.portMappings.length > 0) {
    io.out(`\nPorts below 1024 need privileges; mapped locally:\n${mesh.plan.portMappings.map((m) => `  ${m}`).join('\n')}\n`);
  }
  io.out(`\n${tryLines(mesh.ingressUrl).join('\n')}\n`);
  io.out(`\nControl plane: ${mesh.monitoringUrl}/debug/syncz, /debug/config_errors; config in ${path.relative(process.cwd(), mesh.configDir) || '.'}; logs in ${path.relative(process.cwd(), mesh.logDir)}\n`);

  let watcher: SourceWatcher | undefined;
  if (options.watch) watcher = startWatching(options, mesh, io);
  if (options.exitWhenReady) {
    io.out('ready; stopping (--exit-when-ready)\n');
  } else {
    io.out(options.watch ? 'Watching for changes. Ctrl-C stops the mesh.\n' : 'Ctrl-C stops the mesh.\n');
  }

  const outcome = options.exitWhenReady
    ? { type: 'ready' as const }
    : await Promise.race([
      signal.promise.then((s) => ({ type: 'signal' as const, signal: s })),
      mesh.failed.then((f) => ({ type: 'failed' as const, failure: f })),
    ]);
  watcher?.close();
  if (outcome.type === 'failed') {
    io.err(`\nmeshform up: ${describeFailure(outcome.failure)}\nStopping the other processes.\n`);
    context.exitCode = EXIT_FAILURE;
  } else if (outcome.type === 'signal') {
    io.out(`\n${outcome.signal} received: stopping ${mesh.processes.filter((p) => p.running).length} processes\n`);
  }
  await mesh.stop();
  signal.dispose();
  io.out(`stopped: all ${mesh.processes.length} processes have exited\n`);
}

/** Re-synthesizes (or re-reads `--dir`) on changes, and serves the result. */
function startWatching(options: UpOptions, mesh: LocalMesh, io: CliIo): SourceWatcher {
  const app = options.app ?? defaultApp();
  const output = path.resolve(options.output ?? 'dist');
  const directories = options.dir !== undefined ? [options.dir] : stackSourceDirectories(app);
  io.out(`watching ${directories.map((d) => path.relative(process.cwd(), d) || '.').join(', ')}\n`);
  return new SourceWatcher({
    directories,
    ignore: (file) => options.dir === undefined && file.startsWith(output + path.sep),
    onChange: (changed) => {
      io.out(`\nchanged: ${changed.join(', ')}\n`);
      try {
        const files = options.dir !== undefined
          ? findYamlFiles([options.dir])
          : [...synthesize({ app, output, context: options.context ?? [] }).files];
        const report = analyzeFiles(files);
        if (report.errors > 0) {
          io.err(`analysis: ${formatReport(report)}the running mesh keeps its last config\n`);
          return;
        }
        const changes = mesh.applyManifests(readFiles(files));
        io.out(`config updated: the control plane pushes it to the running proxies (${files.length} file(s))\n`);
        if (changes.length > 0) {
          io.out(`topology changes need a restart of meshform up to take effect:\n${changes.map((c) => `  ${c}`).join('\n')}\n`);
        }
      } catch (e) {
        io.err(`re-synthesis failed; the running mesh keeps its last config:\n${(e as Error).message}\n`);
      }
    },
  });
}

export function upCommand(context: CliContext): Command {
  return new Command('up')
    .description('run the whole mesh on this machine: control plane, sample apps, sidecars and ingress gateway on loopback addresses')
    .option('-a, --app <file>', 'the cdk8s app to synthesize (default: stacks/main.ts, else the bundled bookinfo app)')
    .option('-d, --dir <dir>', 'serve the manifests in this directory instead of synthesizing')
    .option('-o, --output <dir>', 'where synthesized manifests are written', 'dist')
    .option('-c, --context <key=value>', 'a context value for the app, e.g. scenario=jason-v2 (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('-w, --watch', 're-synthesize on changes of the stack sources and push the new config live')
    .option('--state-dir <dir>', 'where the served config and the logs go', DEFAULT_STATE_DIR)
    .option('--address-block <n>', 'the B of the loopback addresses 127.B.x.N', integer(0, 255, 'a number'), 0)
    .option('--gateway-port <declared=local>', 'local port of a gateway server port, e.g. 80=18080 (repeatable; default: ports below 1024 + 8000)', gatewayPort, new Map<number, number>())
    .option('--xds-port <port>', 'control plane xDS port (0: any free port)', integer(0, 65535, 'a port'), 15010)
    .option('--monitoring-port <port>', 'control plane monitoring port (0: any free port)', integer(0, 65535, 'a port'), 15014)
    .option('--admin-base-port <port>', 'admin port of the first proxy, the next ones follow (0: free ports)', integer(0, 65535, 'a port'), 15100)
    .option('--no-mtls', 'no mesh CA: proxies talk plaintext (PeerAuthentication STRICT then refuses traffic between sidecars)')
    .option('--xds-protocol <sotw|delta>', 'how the proxies speak ADS: delta (virtual hosts one by one over VHDS) or state of the world', adsProtocol, 'delta')
    .option('--exit-when-ready', 'stop once everything is ready and the status is printed')
    .action(async (opts: {
      app?: string; dir?: string; output: string; context: string[]; watch?: boolean; stateDir: string; addressBlock: number;
      gatewayPort: Map<number, number>; xdsPort: number; monitoringPort: number; adminBasePort: number; mtls: boolean; exitWhenReady?: boolean;
      xdsProtocol: AdsProtocol;
    }) => {
      await runUp({
        app: opts.app,
        dir: opts.dir,
        output: opts.output,
        context: opts.context,
        watch: opts.watch,
        stateDir: opts.stateDir,
        addressBlock: opts.addressBlock,
        gatewayPorts: opts.gatewayPort,
        xdsPort: opts.xdsPort,
        monitoringPort: opts.monitoringPort,
        adminBasePort: opts.adminBasePort,
        mtls: opts.mtls,
        xdsProtocol: opts.xdsProtocol,
        exitWhenReady: opts.exitWhenReady,
      }, context);
    });
}
