/**
 * Preloaded into the control plane by `run.js --memory` (`node --require`):
 * appends the process's `process.memoryUsage()` every 500 ms, as one JSON
 * line, to the file named by MESHFORM_BENCH_MEMORY_LOG. The run reports the
 * peaks, so the resident set can be split into V8 heap and buffers.
 */
import * as fs from 'fs';

const file = process.env.MESHFORM_BENCH_MEMORY_LOG;
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    fs.appendFileSync(file, `${JSON.stringify({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers })}\n`);
  }, 500).unref();
}

/** Peaks of the samples in `file`, in MB. */
export function memoryPeaks(file: string): { rss: number; heapUsed: number; heapTotal: number; arrayBuffers: number } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const peaks = { rss: 0, heapUsed: 0, heapTotal: 0, arrayBuffers: 0 };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const sample = JSON.parse(line) as typeof peaks;
    for (const key of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[key] = Math.max(peaks[key], sample[key] / 1e6);
  }
  return peaks;
}
