/**
 * RMSNorm kernel: `y = x / sqrt(mean(x²) + eps) ⊙ w`, row by row, with the mean of squares
 * accumulated in float64.
 */

/**
 * Applies RMSNorm to `rows` rows of `dim` values.
 *
 * @param x - input, rows × dim row-major
 * @param weight - the per-channel gain, length dim
 * @param rows - number of rows
 * @param dim - row length
 * @param eps - the epsilon added to the mean square
 * @param out - output, rows × dim (may be `x` itself)
 * @example
 * ```ts
 * const y = new Float32Array(2);
 * rmsNorm(Float32Array.of(3, 4), Float32Array.of(1, 1), 1, 2, 0, y); // y ≈ [0.8485, 1.1314]
 * ```
 */
export function rmsNorm(
  x: Float32Array,
  weight: Float32Array,
  rows: number,
  dim: number,
  eps: number,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let ss = 0;
    for (let i = 0; i < dim; i++) {
      const v = x[o + i]!;
      ss += v * v;
    }
    const inv = 1 / Math.sqrt(ss / dim + eps);
    for (let i = 0; i < dim; i++) out[o + i] = x[o + i]! * inv * weight[i]!;
  }
}
