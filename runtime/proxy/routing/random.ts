/**
 * The random source of the route stage: a function returning a number in [0, 1).
 * Weighted clusters, mirror fractions, runtime fractions, fault percentages,
 * CORS enablement and retry backoff jitter all draw from it, so tests inject a
 * seeded one and get repeatable decisions.
 */
export type RandomSource = () => number;

/** A small, fast seeded generator (mulberry32) for tests and benchmarks; not for anything secret. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whether an event with probability `fraction` happens. Draws from `random`
 * only when the fraction is strictly between 0 and 1, so certain outcomes never
 * consume randomness (tests stay predictable).
 */
export function sample(fraction: number, random: RandomSource): boolean {
  if (fraction >= 1) return true;
  if (fraction <= 0) return false;
  return random() < fraction;
}
