/**
 * How far the V8 heap of the control-plane process may grow past the data
 * still live after a full collection before the next one: `(1 + percent/100)`
 * times. V8 otherwise lets a fast-allocating process grow up to four times its
 * live data; a control plane translating for thousands of proxies allocates
 * in bursts, and would hold that garbage as resident memory. 100 is the
 * trade-off Go makes by default (GOGC=100), the one istiod runs with.
 */
import * as v8 from 'v8';

export const DEFAULT_HEAP_GROWTH_PERCENT = 100;

/** Sets the growth for this process; 0 leaves V8's own heuristics. */
export function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) {
    throw new Error(`heap growth: expected a whole number of percent >= 0, got ${percent}`);
  }
  // V8 reads the flag whenever it recomputes the heap limit after a collection.
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
