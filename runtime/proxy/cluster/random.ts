/** Randomness for load balancing and enforcement percentages, injectable so tests are seeded. */

export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
}

/** `Math.random`. */
export const systemRandom: Random = { next: () => Math.random() };

/** A seeded generator (mulberry32): fast, allocation-free, reproducible. */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random.next() * n);
}
