/**
 * Route stage micro-benchmark: decisions per second for a bookinfo-sized route
 * table (the productpage sidecar's `9080` RouteConfiguration, translated from
 * Istio config by the control plane and decoded), per request shape and mixed.
 * Prints figures only; nothing is asserted.
 *
 *   npx tsc -p tsconfig.json && node lib/bench/proxy/routing-micro.js [--seconds 1]
 *   (or: npx ts-node bench/proxy/routing-micro.ts)
 */
import * as path from 'path';
import { FlatHeadersRequest, FlatHeadersRequestInit, RouteTable, seededRandom } from '../../runtime/proxy/routing';
import { bookinfoTable } from '../../test/proxy-routing/bookinfo-fixture';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 1;
const random = seededRandom(1);

const CASES: readonly [string, FlatHeadersRequestInit][] = [
  ['reviews jason (header match, fault)', { method: 'GET', path: '/reviews/0', authority: 'reviews:9080', headers: ['end-user', 'jason', 'x-user', 'u1', 'accept', '*/*'], sourceIp: '10.0.0.5', random }],
  ['reviews split (weights, hash, retry)', { method: 'GET', path: '/reviews/1', authority: 'reviews:9080', headers: ['x-user', 'u2', 'accept', '*/*', 'user-agent', 'bench'], sourceIp: '10.0.0.5', random }],
  ['reviews CORS actual request', { method: 'GET', path: '/reviews/1', authority: 'reviews', headers: ['origin', 'https://bookinfo.example.com'], sourceIp: '10.0.0.5', random }],
  ['ratings prefix rewrite', { method: 'GET', path: '/api/stars?id=1', authority: 'ratings.default.svc.cluster.local:9080', headers: ['accept', '*/*'], sourceIp: '10.0.0.5', random }],
  ['ratings direct response', { method: 'GET', path: '/health', authority: 'ratings:9080', sourceIp: '10.0.0.5', random }],
  ['details default route', { method: 'GET', path: '/details/0', authority: 'details:9080', headers: ['accept', '*/*'], sourceIp: '10.0.0.5', random }],
  ['unknown host (404 NR)', { method: 'GET', path: '/', authority: 'nowhere.example:9080', sourceIp: '10.0.0.5', random }],
];

function measure(table: RouteTable, inits: readonly FlatHeadersRequestInit[], buildEach: boolean): number {
  const prebuilt = inits.map((i) => new FlatHeadersRequest(i));
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += table.route(prebuilt[i % prebuilt.length] as FlatHeadersRequest).kind.length;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 10_000; i++) {
      const k = n++ % inits.length;
      const request = buildEach ? new FlatHeadersRequest(inits[k] as FlatHeadersRequestInit) : (prebuilt[k] as FlatHeadersRequest);
      sink += table.route(request).kind.length;
    }
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === -1) console.log(sink);
  return n / elapsed;
}

function main(): void {
  const fixture = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}lib${path.sep}`) ? ['..'] : []), 'test', 'proxy-routing', 'fixtures', 'bookinfo-routing.yaml');
  const compileStart = process.hrtime.bigint();
  const table = bookinfoTable(fixture);
  const compileMs = Number(process.hrtime.bigint() - compileStart) / 1e6;
  const vhosts = table.config.virtualHosts;
  console.log(`route table '${table.name}': ${vhosts.length} virtual hosts, ${vhosts.reduce((s, v) => s + v.domains.length, 0)} domains, ${vhosts.reduce((s, v) => s + v.routes.length, 0)} routes (translate + decode + compile ${compileMs.toFixed(1)} ms)`);
  console.log(`node ${process.version}, ${seconds}s per figure`);
  for (const [name, init] of CASES) console.log(`  ${name.padEnd(40)} ${fmt(measure(table, [init], false))} routes/s`);
  console.log(`  ${'mixed, request views prebuilt'.padEnd(40)} ${fmt(measure(table, CASES.map((c) => c[1]), false))} routes/s`);
  console.log(`  ${'mixed, a request view built per request'.padEnd(40)} ${fmt(measure(table, CASES.map((c) => c[1]), true))} routes/s`);
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en-US').padStart(12);
}

main();
