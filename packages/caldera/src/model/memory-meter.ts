/**
 * High-water marks of the process's memory, sampled at the pipeline's checkpoints (after each
 * layer and each phase): resident set size (all threads), the V8 heap of the calling thread,
 * and the ArrayBuffer memory (where tensors live).
 */

/**
 * Peak memory seen by a {@link MemoryMeter}, in bytes.
 *
 * @example
 * ```ts
 * const p: MemoryPeaks = { rssBytes: 2e8, heapUsedBytes: 6e7, arrayBufferBytes: 3e7 };
 * ```
 */
export interface MemoryPeaks {
  /** Resident set size of the whole process (worker threads included). */
  rssBytes: number;
  /** V8 heap in use on the calling thread. */
  heapUsedBytes: number;
  /** Memory of ArrayBuffers (typed arrays: weights, Hessians) on the calling thread. */
  arrayBufferBytes: number;
}

/**
 * Tracks high-water marks by sampling `process.memoryUsage()`.
 *
 * @example
 * ```ts
 * const meter = new MemoryMeter();
 * meter.sample();
 * meter.peaks.rssBytes; // > 0
 * ```
 */
export class MemoryMeter {
  /** The high-water marks so far. */
  readonly peaks: MemoryPeaks = { rssBytes: 0, heapUsedBytes: 0, arrayBufferBytes: 0 };
  /** The first sample (taken by the constructor). */
  readonly baseline: MemoryPeaks;

  constructor() {
    this.sample();
    this.baseline = { ...this.peaks };
  }

  /** Takes one sample (cheap: no heap walk). */
  sample(): void {
    if (typeof process === 'undefined' || typeof process.memoryUsage !== 'function') return;
    const u = process.memoryUsage();
    const p = this.peaks;
    p.rssBytes = Math.max(p.rssBytes, u.rss);
    p.heapUsedBytes = Math.max(p.heapUsedBytes, u.heapUsed);
    p.arrayBufferBytes = Math.max(p.arrayBufferBytes, u.arrayBuffers);
  }
}
