/** --listen parsing and the sample server's start-up checks. */
import { formatListenAddress, parseListenAddress, RATINGS, startSample } from '../../runtime/samples';
import { closeAll, runSample } from './sample-support';

afterEach(closeAll);

test.each([
  ['127.0.1.5:9080', { host: '127.0.1.5', port: 9080 }],
  ['127.0.1.5', { host: '127.0.1.5', port: 9080 }],
  ['[::1]:81', { host: '::1', port: 81 }],
  ['localhost:0', { host: 'localhost', port: 0 }],
  ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535 }],
])('parses %s', (text, expected) => {
  expect(parseListenAddress(text, 9080)).toEqual(expected);
});

test.each(['127.0.0.1:65536', '127.0.0.1:-1', ':9080', '127.0.0.1:', '::1:80', '127.0.0.1:80x'])('rejects %s', (text) => {
  expect(() => parseListenAddress(text, 9080)).toThrow(`(got '${text}')`);
});

test('formats IPv6 hosts in brackets', () => {
  expect(formatListenAddress({ host: '::1', port: 80 })).toBe('[::1]:80');
  expect(formatListenAddress({ host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80');
});

test('binds exactly the address given and refuses a taken one', async () => {
  const first = await runSample(RATINGS, 'v1');
  expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect(startSample(RATINGS, { listen: first.address, log: () => undefined }))
    .rejects.toThrow(`ratings-v1: cannot listen on ${formatListenAddress(first.address)}: address already in use`);
  await expect(startSample(RATINGS, { version: 'v2', log: () => undefined })).rejects.toThrow("ratings: unknown version 'v2' (expected one of v1)");
});

test('close resolves `closed` and stops answering', async () => {
  const sample = await runSample(RATINGS, 'v1');
  await sample.close();
  await expect(sample.closed).resolves.toBeUndefined();
});
