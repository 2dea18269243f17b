import { randomBytes } from 'crypto';

/**
 * `x-request-id` values for requests that arrive without one: UUID-shaped (as
 * Envoy generates them, so tools that parse them keep working), made from a
 * random per-process prefix and a counter. Measured on Node 20 here: 54 ns
 * against 210 ns for `crypto.randomUUID()` (bench/proxy/request-id.ts); uniqueness
 * across processes comes from the 80 random prefix bits.
 */
export class RequestIdGenerator {
  private readonly prefix: string;
  private counter = 0;

  constructor() {
    const r = randomBytes(10).toString('hex');
    // xxxxxxxx-xxxx-4xxx-8xxx-<12 hex: counter>, a version-4 layout.
    this.prefix = `${r.slice(0, 8)}-${r.slice(8, 12)}-4${r.slice(12, 15)}-8${r.slice(15, 18)}-${r.slice(18, 20)}`;
  }

  next(): string {
    this.counter = (this.counter + 1) % 0x10000000000;
    const c = this.counter.toString(16);
    return this.prefix + '0000000000'.slice(c.length) + c;
  }
}
