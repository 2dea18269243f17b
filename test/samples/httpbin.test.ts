/** The httpbin sample's endpoints, as the circuit-breaker walkthrough calls them. */
import { HTTPBIN } from '../../runtime/samples';
import { closeAll, json, runSample, send } from './sample-support';

afterEach(closeAll);

test('/get echoes args, headers, origin and url', async () => {
  const httpbin = await runSample(HTTPBIN, undefined);
  const answer = json<{ args: Record<string, unknown>; headers: Record<string, string>; origin: string; url: string }>(
    await send(`${httpbin.url}/get?a=1&b=2&b=3`, { headers: { 'x-request-id': 'abc' } }));
  expect(answer.args).toEqual({ a: '1', b: ['2', '3'] });
  expect(answer.headers['X-Request-Id']).toBe('abc');
  expect(answer.headers.Host).toBe(httpbin.url.slice('http://'.length));
  expect(answer.origin).toBe('127.0.0.1');
  expect(answer.url).toBe(`${httpbin.url}/get?a=1&b=2&b=3`);
});

test('/headers, /ip, /status/<code>', async () => {
  const httpbin = await runSample(HTTPBIN, undefined);
  expect(json(await send(`${httpbin.url}/headers`, { headers: { 'user-agent': 'fortio' } }))).toMatchObject({ headers: { 'User-Agent': 'fortio' } });
  expect(json(await send(`${httpbin.url}/ip`))).toEqual({ origin: '127.0.0.1' });
  expect((await send(`${httpbin.url}/status/418`)).status).toBe(418);
  expect((await send(`${httpbin.url}/status/503`, { method: 'POST' })).status).toBe(503);
  expect((await send(`${httpbin.url}/status/abc`)).status).toBe(400);
  expect((await send(`${httpbin.url}/nothing-here`)).status).toBe(404);
});

test('/anything and POST /post echo the body as data, JSON or form', async () => {
  const httpbin = await runSample(HTTPBIN, undefined);
  const anything = json(await send(`${httpbin.url}/anything/x?q=1`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"k":[1,2]}',
  }));
  expect(anything).toMatchObject({ method: 'PUT', args: { q: '1' }, json: { k: [1, 2] }, data: '{"k":[1,2]}' });
  const post = json(await send(`${httpbin.url}/post`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two',
  }));
  expect(post).toMatchObject({ form: { a: '1', b: 'two' }, json: null });
  expect((await send(`${httpbin.url}/post`)).status).toBe(405);
});

test('/delay/<seconds> answers after the delay; a client that leaves cancels it', async () => {
  const httpbin = await runSample(HTTPBIN, undefined);
  const started = Date.now();
  const answer = await send(`${httpbin.url}/delay/0.2`);
  expect(answer.status).toBe(200);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  expect(json(answer)).toMatchObject({ delay: 0.2 });
  // A 10 s delay still pending when the test ends is cancelled by close (afterEach).
  void send(`${httpbin.url}/delay/10`).catch(() => undefined);
});
