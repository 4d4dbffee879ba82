/**
 * Cooperative yielding for long synchronous loops, so that timers and abort signals fire.
 */

/**
 * Resolves on the next macrotask (`setImmediate` where available, else `setTimeout(0)`).
 *
 * @returns a promise resolved after pending events have run
 * @example
 * ```ts
 * await yieldToEventLoop(); // lets an AbortController.abort() from a timer land
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Yields only when at least `intervalMs` passed since the last yield (cheap to call often).
 *
 * @example
 * ```ts
 * const y = new Yielder(20);
 * for (const w of windows) { work(w); await y.maybeYield(); }
 * ```
 */
export class Yielder {
  private last = Date.now();

  /** @param intervalMs - minimum time between yields (default 20 ms) */
  constructor(private readonly intervalMs = 20) {}

  /** @returns a promise that resolves at once or after a yield */
  async maybeYield(): Promise<void> {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    await yieldToEventLoop();
    this.last = Date.now();
  }
}
