/**
 * The meshform HTTP engine with one static route, as the benchmark runs it:
 * stats and access-log hooks on, as in the full proxy.
 *
 *   node lib/bench/proxy/meshform-static.js --port 18083 --upstream 127.0.0.1:18080 \
 *     [--concurrency 2] [--access-log /dev/null] [--metrics-port 0]
 */
import cluster from 'cluster';
import * as http from 'http';
import { Http1Listener, ProxyStats, RouteDecision, TextAccessLog } from '../../runtime/proxy/http';
import { EndpointPool } from '../../runtime/proxy/upstream';

interface Args {
  port: number;
  upstreamHost: string;
  upstreamPort: number;
  concurrency: number;
  accessLog: string;
  metricsPort: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const [uh, up] = get('upstream', '127.0.0.1:18080').split(':');
  return {
    port: Number(get('port', '18083')),
    upstreamHost: uh,
    upstreamPort: Number(up),
    concurrency: Number(get('concurrency', '1')),
    accessLog: get('access-log', '/dev/null'),
    metricsPort: Number(get('metrics-port', '0')),
  };
}

async function serve(args: Args): Promise<void> {
  const pool = new EndpointPool({ host: args.upstreamHost, port: args.upstreamPort });
  const cluster_ = 'outbound|80||upstream.bench';
  const decision = RouteDecision.forward(pool, cluster_);
  const stats = new ProxyStats();
  const log = TextAccessLog.toFile(args.accessLog);
  const listener = new Http1Listener({ route: () => decision, stats, accessLog: log.hook });
  await listener.listen(args.port, '127.0.0.1');
  if (args.metricsPort > 0) {
    http
      .createServer((_req, res) => res.end(stats.renderPrometheus('bench', [{ cluster: cluster_, pool }])))
      .listen(args.metricsPort, '127.0.0.1');
  }
  process.on('SIGTERM', () => {
    log.close();
    process.exit(0);
  });
}

const args = parseArgs(process.argv.slice(2));
if (args.concurrency > 1 && cluster.isPrimary) {
  // Workers accept on the shared socket themselves (no round-robin through the primary).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < args.concurrency; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  serve(args).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
