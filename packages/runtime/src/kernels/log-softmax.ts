/**
 * Log-softmax helpers over logits rows, in float64.
 */

/**
 * `log Σ exp(logits[off … off+n))`, computed stably in float64.
 *
 * @param logits - the logits
 * @param off - offset of the row
 * @param n - row length
 * @returns the log-sum-exp
 * @example
 * ```ts
 * logSumExp(Float32Array.of(0, 0), 0, 2); // Math.log(2)
 * ```
 */
export function logSumExp(logits: Float32Array, off: number, n: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = logits[off + i]!;
    if (v > max) max = v;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(logits[off + i]! - max);
  return max + Math.log(s);
}

/**
 * Writes the log-probabilities of one logits row.
 *
 * @param logits - the logits
 * @param off - offset of the row
 * @param n - row length
 * @param out - float64 output, length ≥ n
 * @example
 * ```ts
 * const lp = new Float64Array(2);
 * logSoftmax(Float32Array.of(0, 0), 0, 2, lp); // [-0.693…, -0.693…]
 * ```
 */
export function logSoftmax(logits: Float32Array, off: number, n: number, out: Float64Array): void {
  const lse = logSumExp(logits, off, n);
  for (let i = 0; i < n; i++) out[i] = logits[off + i]! - lse;
}

/**
 * Index of the largest value (the first one on ties).
 *
 * @param values - the array
 * @param off - offset of the row
 * @param n - row length
 * @returns the index within the row
 * @example
 * ```ts
 * argmax(Float32Array.of(1, 3, 3), 0, 3); // 1
 * ```
 */
export function argmax(values: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  let bv = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[off + i]!;
    if (v > bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}
