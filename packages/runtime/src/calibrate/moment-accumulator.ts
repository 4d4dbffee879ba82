/**
 * Streaming first and second moments of activation rows, in float64: `S = Σ xxᵀ` (lower
 * triangle updated with `dsyrk`, mirrored on read), `s = Σ x` and the row count. Memory is
 * n² + n doubles whatever the number of rows.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { dsyrk } from '@caldera/linalg';

/**
 * Accumulates `Σ xxᵀ`, `Σ x` and the count over float32 row blocks.
 *
 * @example
 * ```ts
 * const acc = new MomentAccumulator(2);
 * acc.add(Float32Array.of(1, 2, 3, 4), 2);
 * Array.from(acc.secondMoment()); // [5, 7, 7, 10] (= XᵀX / 2)
 * ```
 */
export class MomentAccumulator {
  /** Lower triangle of Σ xxᵀ (n × n row-major; the upper part is not maintained). */
  readonly sumOuter: Float64Array;
  /** Σ x. */
  readonly sum: Float64Array;
  private scratch = new Float64Array(0);
  private rows = 0;

  /**
   * @param n - row length
   * @param state - resume from saved sums (`sumOuter` may be full or lower-triangular)
   * @throws CalderaError `SHAPE_MISMATCH` for a bad n or state size
   */
  constructor(
    readonly n: number,
    state?: { sumOuter: Float64Array; sum: Float64Array; count: number },
  ) {
    if (!Number.isInteger(n) || n < 1) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `MomentAccumulator: bad dimension ${describeValue(n)}`,
      );
    }
    this.sumOuter = new Float64Array(n * n);
    this.sum = new Float64Array(n);
    if (state) {
      if (state.sumOuter.length !== n * n || state.sum.length !== n) {
        throw new CalderaError(
          'SHAPE_MISMATCH',
          `MomentAccumulator: saved state does not have dimension ${n}`,
        );
      }
      this.sumOuter.set(state.sumOuter);
      this.sum.set(state.sum);
      this.rows = state.count;
    }
  }

  /** Rows accumulated. */
  get count(): number {
    return this.rows;
  }

  /**
   * Adds `rows` rows of `x` (row-major, n values each).
   *
   * @param x - the block
   * @param rows - number of rows
   * @throws CalderaError `SHAPE_MISMATCH` when x is too short
   */
  add(x: Float32Array, rows: number): void {
    const n = this.n;
    if (rows * n > x.length) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `MomentAccumulator.add: ${rows} rows of ${n} need ${rows * n} values, got ${x.length}`,
      );
    }
    if (rows === 0) return;
    if (this.scratch.length < rows * n) this.scratch = new Float64Array(rows * n);
    const xd = this.scratch;
    const s = this.sum;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) {
        const v = x[o + j]!;
        xd[o + j] = v;
        s[j]! += v;
      }
    }
    dsyrk('T', n, rows, 1, xd, n, 1, this.sumOuter, n);
    this.rows += rows;
  }

  /**
   * The full symmetric `Σ xxᵀ` (a new array).
   *
   * @returns n × n sums
   */
  fullSumOuter(): Float64Array {
    const n = this.n;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = this.sumOuter[i * n + j]!;
        out[i * n + j] = v;
        out[j * n + i] = v;
      }
    }
    return out;
  }

  /**
   * The uncentred second moment `H = Σ xxᵀ / count` (symmetric, a new array).
   *
   * @returns H, n × n
   * @throws CalderaError `INVALID_ARGUMENT` when no rows were added
   */
  secondMoment(): Float64Array {
    if (this.rows === 0)
      throw new CalderaError('INVALID_ARGUMENT', 'MomentAccumulator: no rows were added');
    const h = this.fullSumOuter();
    const inv = 1 / this.rows;
    for (let i = 0; i < h.length; i++) h[i]! *= inv;
    return h;
  }

  /**
   * The mean row `Σ x / count`.
   *
   * @returns μ, length n
   * @throws CalderaError `INVALID_ARGUMENT` when no rows were added
   */
  mean(): Float64Array {
    if (this.rows === 0)
      throw new CalderaError('INVALID_ARGUMENT', 'MomentAccumulator: no rows were added');
    return this.sum.map((v) => v / this.rows);
  }
}
