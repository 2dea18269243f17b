/**
 * `meshform sample <name>`: runs one of the bookinfo sample services (productpage,
 * details, reviews, ratings, httpbin) on one address until SIGINT or SIGTERM.
 * Outgoing calls go through the sidecar named by `MESH_PROXY` when it is set.
 */
import { Command } from 'commander';
import { findSample, parseListenAddress, SAMPLES, startSample } from '../samples';
import { CliContext, UsageError } from './cli-context';

interface SampleFlags {
  version?: string;
  listen?: string;
}

export function sampleCommand(context: CliContext): Command {
  const names = Object.keys(SAMPLES);
  return new Command('sample')
    .description(`run a bookinfo sample service (${names.join(', ')}) until SIGINT or SIGTERM`)
    .argument('<name>', names.join(', '))
    .option('--version <version>', 'which version to run (reviews: v1, v2 or v3)', 'v1')
    .option('--listen <host:port>', "address to bind (default: 127.0.0.1 and the service's port: 9080, httpbin 80)")
    .addHelpText('after', `
Environment:
  MESH_PROXY                    send every outgoing call to this sidecar (e.g. http://127.0.1.5:9080) with Host: <service>:<port>
  BOOKINFO_DETAILS_TIMEOUT_MS   productpage -> details, per attempt (default 3000)
  BOOKINFO_DETAILS_RETRIES      productpage -> details, retries after the first attempt (default 1)
  BOOKINFO_REVIEWS_TIMEOUT_MS   productpage -> reviews, per attempt (default 3000)
  BOOKINFO_REVIEWS_RETRIES      productpage -> reviews, retries after the first attempt (default 1)
  BOOKINFO_RATINGS_TIMEOUT_MS   reviews v2/v3 -> ratings (default 10000)
  <NAME>_HOSTNAME, <NAME>_SERVICE_PORT, SERVICES_DOMAIN
                                how apps name DETAILS/REVIEWS/RATINGS (default http://<name>:9080)
  POD_NAME, CLUSTER_NAME        what reviews reports as podname/clustername (default reviews-<version>, local)
`)
    .action(async (name: string, opts: SampleFlags) => {
      const definition = findSample(name);
      if (!definition) throw new UsageError(`sample: unknown sample '${name}' (expected one of ${names.join(', ')})`);
      const version = opts.version ?? 'v1';
      if (!definition.versions.includes(version)) {
        throw new UsageError(`sample: --version: ${name} has ${definition.versions.join(', ')} (got '${version}')`);
      }
      let listen;
      try {
        listen = opts.listen === undefined ? undefined : parseListenAddress(opts.listen, definition.defaultPort);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      // A settings mistake (bad env value) and a taken address both end the command with a message.
      const running = await startSample(definition, { version, listen, log: (line) => context.io.out(line) });
      context.io.out(`${name} ${version} listening on ${running.url}${process.env.MESH_PROXY ? ` (outbound via ${process.env.MESH_PROXY})` : ''}\n`);

      const onSignal = (signal: NodeJS.Signals): void => {
        context.io.out(`${name} ${version}: ${signal} received, closing\n`);
        void running.close();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await running.closed;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
