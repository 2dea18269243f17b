/**
 * A stand-in for `meshform control-plane`, made of the pieces that exist
 * (file source → store → per-proxy translation → snapshot cache → ADS server),
 * with the same flags, so the load side can be exercised before the real
 * command is there. Not a control plane: no debounce queue, no metrics beyond
 * /ready.
 *
 *   node lib/bench/xds/stand-in-control-plane.js --config DIR --xds-port PORT --monitoring-port PORT
 */
import * as http from 'http';
import { ConfigStore, FileConfigSource } from '../../runtime/config';
import { Snapshot, SnapshotCache } from '../../runtime/xds/cache';
import { createXdsServer, NodeInfo } from '../../runtime/xds/server';
import { proxyIdentity, resourcesByTypeUrl, translate } from '../../runtime/xds/translate';

function flag(argv: string[], name: string, fallback?: string): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const directory = flag(argv, 'config');
  const host = flag(argv, 'listen', '127.0.0.1');
  const xdsPort = Number(flag(argv, 'xds-port'));
  const monitoringPort = Number(flag(argv, 'monitoring-port', '15014'));
  const debounceMs = Number(flag(argv, 'debounce-ms', '100'));

  const store = new ConfigStore();
  const cache = new SnapshotCache();
  const nodes = new Map<string, NodeInfo>();
  const push = (node: NodeInfo): void => {
    const resources = translate(store.snapshot(), proxyIdentity(node));
    cache.setSnapshot(node.id, Snapshot.create({ resources: resourcesByTypeUrl(resources) }));
  };
  const server = createXdsServer({
    cache,
    hooks: {
      onStreamOpened: (node) => {
        nodes.set(node.id, node);
        push(node);
      },
      onStreamClosed: (node) => void nodes.delete(node.id),
    },
  });
  let timer: NodeJS.Timeout | undefined;
  store.onChange(() => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      for (const node of nodes.values()) push(node);
    }, debounceMs);
  });
  await store.addSource(new FileConfigSource({ directory, recursiveWatch: false }));
  await server.listen(host, xdsPort);
  const monitoring = http.createServer((req, res) => {
    res.writeHead(req.url === '/ready' ? 200 : 404).end(req.url === '/ready' ? 'ready\n' : '');
  });
  monitoring.listen(monitoringPort, host);
  const stop = (): void => {
    void store.close();
    monitoring.close();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
