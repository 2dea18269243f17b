/** `meshform sample` in its own process: starts, answers, closes on SIGTERM; clear errors otherwise. */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';
import { BIN, BUILD_DEADLINE_MS, ensureBuilt, ROOT } from '../support/built-lib';
import { unusedPort } from '../support/ports';
import { json, send } from './sample-support';

const DEADLINE_MS = 10_000;

beforeAll(() => ensureBuilt(), BUILD_DEADLINE_MS);

const children: ChildProcess[] = [];
const held: http.Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(held.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

interface Run {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the first match of `pattern` in the output, or rejects at the deadline or when the process exits. */
function waitForOutput(r: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = r.stdout().match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
      return !!m;
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${pattern} within ${DEADLINE_MS} ms; stdout: ${r.stdout()} stderr: ${r.stderr()}`)); }, DEADLINE_MS);
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`exited (${code}) before ${pattern}; stderr: ${r.stderr()}`)); };
    const cleanup = (): void => {
      clearTimeout(timer);
      r.child.stdout!.off('data', check);
      r.child.off('exit', onExit);
    };
    r.child.stdout!.on('data', check);
    r.child.once('exit', onExit);
    check();
  });
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} not within ${DEADLINE_MS} ms`)), DEADLINE_MS); });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

test('meshform sample ratings listens on --listen, answers, logs the request and exits on SIGTERM', async () => {
  const port = await unusedPort();
  const r = run(['sample', 'ratings', '--listen', `127.0.0.1:${port}`]);
  await waitForOutput(r, /ratings v1 listening on http:\/\/127\.0\.0\.1:(\d+)/);
  expect(json(await send(`http://127.0.0.1:${port}/ratings/0`))).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  await waitForOutput(r, /ratings-v1 GET \/ratings\/0 200 [\d.]+ms/);
  r.child.kill('SIGTERM');
  expect(await withDeadline(r.exited, 'exit after SIGTERM')).toBe(0);
});

test('meshform sample reviews --version v3 runs that version', async () => {
  const r = run(['sample', 'reviews', '--version', 'v3', '--listen', '127.0.0.1:0'], { BOOKINFO_RATINGS_TIMEOUT_MS: '200', RATINGS_HOSTNAME: '127.0.0.1', RATINGS_SERVICE_PORT: '1' });
  const [, url] = await waitForOutput(r, /reviews v3 listening on (http:\S+)/);
  const answer = await send(`${url}/reviews/0`);
  expect(answer.headers['x-bookinfo-version']).toBe('v3');
  expect(json(answer)).toMatchObject({ podname: 'reviews-v3', reviews: [{ rating: { error: 'Ratings service is currently unavailable' } }, {}] });
  r.child.kill('SIGTERM');
  expect(await withDeadline(r.exited, 'exit after SIGTERM')).toBe(0);
});

test('a taken address ends the command with a clear error', async () => {
  const holder = http.createServer();
  held.push(holder);
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  const r = run(['sample', 'details', '--listen', `127.0.0.1:${port}`]);
  expect(await withDeadline(r.exited, 'exit')).toBe(1);
  expect(r.stderr()).toContain(`details-v1: cannot listen on 127.0.0.1:${port}: address already in use`);
});

test('usage errors: unknown sample, unknown version, bad --listen', async () => {
  const unknown = run(['sample', 'catalog']);
  expect(await withDeadline(unknown.exited, 'exit')).toBe(2);
  expect(unknown.stderr()).toContain("unknown sample 'catalog' (expected one of productpage, details, reviews, ratings, httpbin)");
  const version = run(['sample', 'ratings', '--version', 'v2']);
  expect(await withDeadline(version.exited, 'exit')).toBe(2);
  expect(version.stderr()).toContain("ratings has v1 (got 'v2')");
  const listen = run(['sample', 'ratings', '--listen', '127.0.0.1:99999']);
  expect(await withDeadline(listen.exited, 'exit')).toBe(2);
  expect(listen.stderr()).toContain("--listen: expected host:port (e.g. 127.0.0.1:9080), the port must be 0..65535 (got '127.0.0.1:99999')");
});
