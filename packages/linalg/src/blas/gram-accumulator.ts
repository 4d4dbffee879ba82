/**
 * Streaming Gram matrix: accumulates `XᵀX` over many float32 row blocks X (rows × n) into a
 * float64 n×n matrix, with the number of rows seen. `finalize()` returns `H = XᵀX / count`,
 * symmetric. Each block is widened to float64 in a reused scratch and added with `dsyrk`
 * (lower triangle, on the active backend), so accumulation error stays at float64 level however
 * many blocks arrive.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { syrkUnchecked } from './syrk';
import { gemmFor } from './trsm';
import { checkFinite } from './validate';

/**
 * Accumulates `H = (1/N)·Σ XᵀX` over row blocks (e.g. calibration activations for a Hessian).
 *
 * @example
 * ```ts
 * const acc = new GramAccumulator(2);
 * acc.add(new Float32Array([1, 2, 3, 4]), 2); // two rows [1, 2], [3, 4]
 * acc.finalize(); // [5, 7, 7, 10]
 * ```
 */
export class GramAccumulator {
  /** Dimension n (columns of every block). */
  readonly n: number;
  private readonly sum: Float64Array;
  private scratch: Float64Array = new Float64Array(0);
  private rows = 0;

  /**
   * @param n - number of columns of each block (order of H)
   * @throws CalderaError `SHAPE_MISMATCH` when n is not a positive integer
   */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `GramAccumulator: n must be a positive integer, got ${describeValue(n)}`,
      );
    }
    this.n = n;
    this.sum = new Float64Array(n * n);
  }

  /** Rows accumulated so far. */
  get count(): number {
    return this.rows;
  }

  /**
   * Adds the rows of a block: `S += XᵀX`.
   *
   * @param x - block of `rows × n` values, row-major
   * @param rows - number of rows (default `x.length / n`)
   * @throws CalderaError `SHAPE_MISMATCH` when the block size does not match,
   *   `NON_FINITE_INPUT` when it holds NaN/Inf
   * @example
   * ```ts
   * acc.add(new Float32Array(3 * acc.n), 3);
   * ```
   */
  add(x: Float32Array | Float64Array, rows = x.length / this.n): void {
    const n = this.n;
    if (!Number.isInteger(rows) || rows < 0 || rows * n > x.length) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `GramAccumulator.add: block of ${x.length} values does not hold ${describeValue(rows)} rows of ${n}`,
        { details: { length: x.length, rows, n } },
      );
    }
    if (rows === 0) return;
    checkFinite('GramAccumulator.add', 'x', x, rows, n, n, 0);
    let xd: Float64Array;
    if (x instanceof Float64Array) xd = x;
    else {
      if (this.scratch.length < rows * n) this.scratch = new Float64Array(rows * n);
      xd = this.scratch;
      for (let i = 0; i < rows * n; i++) xd[i] = x[i]!;
    }
    syrkUnchecked('T', n, rows, 1, xd, n, 0, 1, this.sum, n, 0, gemmFor(xd), false);
    this.rows += rows;
  }

  /**
   * `H = XᵀX / count` as a new symmetric n×n float64 matrix (the accumulator is unchanged and
   * can keep accumulating).
   *
   * @returns H
   * @throws CalderaError `SHAPE_MISMATCH` when no rows were added
   * @example
   * ```ts
   * const h = acc.finalize();
   * ```
   */
  finalize(): Float64Array {
    const n = this.n;
    if (this.rows === 0) {
      throw new CalderaError('SHAPE_MISMATCH', 'GramAccumulator.finalize: no rows were added');
    }
    const h = new Float64Array(n * n);
    const inv = 1 / this.rows;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = this.sum[i * n + j]! * inv;
        h[i * n + j] = v;
        h[j * n + i] = v;
      }
    }
    return h;
  }

  /**
   * Clears the sums and the count.
   *
   * @example
   * ```ts
   * acc.reset(); // acc.count === 0
   * ```
   */
  reset(): void {
    this.sum.fill(0);
    this.rows = 0;
  }
}
