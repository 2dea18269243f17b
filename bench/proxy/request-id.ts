/**
 * Cost of the two ways to make an `x-request-id`: the engine's counter with a
 * random prefix, and crypto.randomUUID().
 *
 *   node lib/bench/proxy/request-id.js
 */
import { randomUUID } from 'crypto';
import { RequestIdGenerator } from '../../runtime/proxy/http/request-id';

function time(name: string, f: () => string): void {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += f().length;
  const n = 2_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += f().length;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${name}: ${ns.toFixed(1)} ns/id${sink === 0 ? '' : ''}`);
}

const g = new RequestIdGenerator();
time('counter + random prefix', () => g.next());
time('crypto.randomUUID()', () => randomUUID());
