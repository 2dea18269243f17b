/** MeshClient: direct by name, or through MESH_PROXY in origin form with the service's Host. */
import * as http from 'http';
import { AddressInfo } from 'net';
import { MeshCallError, MeshClient, RATINGS } from '../../runtime/samples';
import { closeAll, runSample, startHostRouter, startSlowServer } from './sample-support';

afterEach(closeAll);

test('through a proxy: connects to the proxy and sends Host: <service>:<port> with an origin-form path', async () => {
  const ratings = await runSample(RATINGS, 'v1');
  const router = await startHostRouter({ 'ratings:9080': ratings.url });
  const client = MeshClient.fromEnv({ MESH_PROXY: router.url });
  try {
    const answer = await client.call('http://ratings:9080/ratings/0?x=1', { timeoutMs: 2000, headers: { 'x-request-id': 'r1' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    expect(router.seen).toEqual([expect.objectContaining({ host: 'ratings:9080', path: '/ratings/0?x=1' })]);
    expect(router.seen[0].headers['x-request-id']).toBe('r1');
  } finally {
    client.close();
  }
});

test('without a proxy: connects to the named host directly', async () => {
  const ratings = await runSample(RATINGS, 'v1');
  const client = new MeshClient();
  try {
    const answer = await client.call(`${ratings.url}/ratings/3`, { timeoutMs: 2000 });
    expect(answer.headers['x-bookinfo-version']).toBe('v1');
    expect(JSON.parse(answer.body)).toMatchObject({ id: 3 });
  } finally {
    client.close();
  }
});

test('a call times out at its deadline, and a refused connection is reported as connect', async () => {
  const slow = await startSlowServer(5000, {});
  const client = new MeshClient();
  try {
    const started = Date.now();
    const error = await client.call(`${slow.url}/`, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeshCallError);
    expect((error as MeshCallError).failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await client.call(`http://127.0.0.1:${port}/`, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect((refused as MeshCallError).failure).toBe('connect');
  } finally {
    client.close();
  }
});

test('an aborted signal cancels the call', async () => {
  const slow = await startSlowServer(5000, {});
  const client = new MeshClient();
  const controller = new AbortController();
  try {
    const pending = client.call(`${slow.url}/`, { timeoutMs: 5000, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ failure: 'aborted' });
  } finally {
    client.close();
  }
});
