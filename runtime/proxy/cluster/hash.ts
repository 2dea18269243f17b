/**
 * xxHash64 (seed 0), the hash Envoy uses for ring hash and Maglev, written over
 * 32-bit halves so hashing allocates nothing (no BigInt). No maintained synchronous
 * xxHash package is a dependency of this project (`xxhash-wasm`, pulled in by
 * grpc-js-xds, needs an async WebAssembly start and returns BigInts).
 *
 * Hashes leave this module as {@link Hash53}: the top 53 bits of the 64-bit value,
 * an exact non-negative integer in a JS number that keeps the 64-bit order.
 */

/** The top 53 bits of a 64-bit hash, as an integer in [0, 2^53). */
export type Hash53 = number;

// 64-bit primes as [hi, lo].
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the 64-bit helpers (no tuples, no allocation).
let rh = 0;
let rl = 0;

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function sub(ah: number, al: number, bh: number, bl: number): void {
  const lo = al - bl;
  rl = lo >>> 0;
  rh = (ah - bh - (lo < 0 ? 1 : 0)) >>> 0;
}

function mul(ah: number, al: number, bh: number, bl: number): void {
  const a48 = ah >>> 16, a32 = ah & 0xffff, a16 = al >>> 16, a00 = al & 0xffff;
  const b48 = bh >>> 16, b32 = bh & 0xffff, b16 = bl >>> 16, b00 = bl & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16; c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = Math.floor(c16 / 65536); c16 %= 65536;
  c16 += a00 * b16;
  c32 += Math.floor(c16 / 65536); c16 %= 65536;
  c32 += a32 * b00;
  let c48 = Math.floor(c32 / 65536); c32 %= 65536;
  c32 += a16 * b16;
  c48 += Math.floor(c32 / 65536); c32 %= 65536;
  c32 += a00 * b32;
  c48 += Math.floor(c32 / 65536); c32 %= 65536;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 %= 65536;
  rh = ((c48 << 16) | c32) >>> 0;
  rl = ((c16 << 16) | c00) >>> 0;
}

function rotl(h: number, l: number, n: number): void {
  if (n === 32) { rh = l; rl = h; return; }
  if (n < 32) {
    rh = ((h << n) | (l >>> (32 - n))) >>> 0;
    rl = ((l << n) | (h >>> (32 - n))) >>> 0;
  } else {
    const m = n - 32;
    rh = ((l << m) | (h >>> (32 - m))) >>> 0;
    rl = ((h << m) | (l >>> (32 - m))) >>> 0;
  }
}

/** acc = rotl(acc + input * P2, 31) * P1 */
function round(ah: number, al: number, ih: number, il: number): void {
  mul(ih, il, P2H, P2L);
  add(ah, al, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

function readLo(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

// Final 64-bit value of the last xxh64 call.
let outH = 0;
let outL = 0;

function xxh64(b: Uint8Array, len: number): void {
  let i = 0;
  let hh: number, hl: number;
  if (len >= 32) {
    add(P1H, P1L, P2H, P2L); let v1h = rh, v1l = rl;
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    sub(0, 0, P1H, P1L); let v4h = rh, v4l = rl;
    const limit = len - 32;
    do {
      round(v1h, v1l, readLo(b, i + 4), readLo(b, i)); v1h = rh; v1l = rl;
      round(v2h, v2l, readLo(b, i + 12), readLo(b, i + 8)); v2h = rh; v2l = rl;
      round(v3h, v3l, readLo(b, i + 20), readLo(b, i + 16)); v3h = rh; v3l = rl;
      round(v4h, v4l, readLo(b, i + 28), readLo(b, i + 24)); v4h = rh; v4l = rl;
      i += 32;
    } while (i <= limit);
    rotl(v1h, v1l, 1); hh = rh; hl = rl;
    rotl(v2h, v2l, 7); add(hh, hl, rh, rl); hh = rh; hl = rl;
    rotl(v3h, v3l, 12); add(hh, hl, rh, rl); hh = rh; hl = rl;
    rotl(v4h, v4l, 18); add(hh, hl, rh, rl); hh = rh; hl = rl;
    for (let k = 0; k < 4; k++) {
      const vh = k === 0 ? v1h : k === 1 ? v2h : k === 2 ? v3h : v4h;
      const vl = k === 0 ? v1l : k === 1 ? v2l : k === 2 ? v3l : v4l;
      round(0, 0, vh, vl);
      hh = (hh ^ rh) >>> 0; hl = (hl ^ rl) >>> 0;
      mul(hh, hl, P1H, P1L);
      add(rh, rl, P4H, P4L); hh = rh; hl = rl;
    }
  } else {
    hh = P5H; hl = P5L;
  }
  add(hh, hl, Math.floor(len / 4294967296), len >>> 0); hh = rh; hl = rl;
  while (i + 8 <= len) {
    round(0, 0, readLo(b, i + 4), readLo(b, i));
    hh = (hh ^ rh) >>> 0; hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L); hh = rh; hl = rl;
    i += 8;
  }
  if (i + 4 <= len) {
    mul(0, readLo(b, i), P1H, P1L);
    hh = (hh ^ rh) >>> 0; hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L); hh = rh; hl = rl;
    i += 4;
  }
  while (i < len) {
    mul(0, b[i], P5H, P5L);
    hh = (hh ^ rh) >>> 0; hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 11);
    mul(rh, rl, P1H, P1L); hh = rh; hl = rl;
    i++;
  }
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L); hh = rh; hl = rl;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0;
  hh = (hh ^ (hh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L); hh = rh; hl = rl;
  hl = (hl ^ hh) >>> 0;
  outH = hh; outL = hl;
}

const scratch = Buffer.allocUnsafe(4096);

function hashUtf8(key: string): void {
  if (key.length * 3 <= scratch.length) {
    const n = scratch.write(key, 0, 'utf8');
    xxh64(scratch, n);
  } else {
    const b = Buffer.from(key, 'utf8');
    xxh64(b, b.length);
  }
}

/** Top 53 bits of a 64-bit value given as halves. */
export function to53(hi: number, lo: number): Hash53 {
  return hi * 2097152 + (lo >>> 11);
}

/** xxHash64 (seed 0) of the UTF-8 bytes of `key`, as {@link Hash53}. */
export function hashKey(key: string): Hash53 {
  hashUtf8(key);
  return to53(outH, outL);
}

/** xxHash64 (seed 0) of `key` as 16 hex digits (tests and debugging; allocates). */
export function xxh64Hex(key: string): string {
  hashUtf8(key);
  return outH.toString(16).padStart(8, '0') + outL.toString(16).padStart(8, '0');
}

/**
 * Combines several keys into one request hash as Envoy combines hash policies:
 * `hash = rotl(hash, 1) ^ next`. Reuse one instance; it allocates nothing.
 */
export class HashCombiner {
  private hi = 0;
  private lo = 0;
  private count = 0;

  /** Starts a new combination. */
  reset(): this {
    this.hi = 0; this.lo = 0; this.count = 0;
    return this;
  }

  /** Mixes in the xxHash64 of `key`. */
  add(key: string): this {
    hashUtf8(key);
    if (this.count === 0) {
      this.hi = outH; this.lo = outL;
    } else {
      rotl(this.hi, this.lo, 1);
      this.hi = (rh ^ outH) >>> 0; this.lo = (rl ^ outL) >>> 0;
    }
    this.count++;
    return this;
  }

  /** Whether any key was added since {@link reset}. */
  get empty(): boolean {
    return this.count === 0;
  }

  /** The combined hash, or undefined when no key was added. */
  result(): Hash53 | undefined {
    return this.count === 0 ? undefined : to53(this.hi, this.lo);
  }
}
