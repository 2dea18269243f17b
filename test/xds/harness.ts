/** Wires a protocol module to a real SnapshotCache and a fake stream. */
import { SnapshotCache } from '../../runtime/xds/cache';
import { NO_METRICS, StreamDependencies, XdsStatusRegistry } from '../../runtime/xds/server';
import { FakeStream } from './fake-stream';

export interface Harness<Req, Res> {
  readonly cache: SnapshotCache;
  readonly status: XdsStatusRegistry;
  readonly logs: string[];
  readonly stream: FakeStream<Req, Res>;
}

export function harness<Req, Res>(
  handle: (call: FakeStream<Req, Res>, deps: StreamDependencies) => void,
  cache = new SnapshotCache(),
): Harness<Req, Res> {
  const status = new XdsStatusRegistry();
  const logs: string[] = [];
  const deps: StreamDependencies = {
    cache,
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    status,
    metrics: NO_METRICS,
    controlPlaneId: 'meshform-test',
  };
  const stream = new FakeStream<Req, Res>();
  handle(stream, deps);
  return { cache, status, logs, stream };
}
