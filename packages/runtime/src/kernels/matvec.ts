/**
 * Row-major matrix times vectors for the decode path (one or a few rows), where a GEMM's
 * packing would cost more than the product. Dot products accumulate in float64 (JS numbers).
 */

/**
 * `y[r, i] = Σ_j x[r, j] · w[i, j]` for a weight `w` stored out × in row-major (PyTorch
 * layout), i.e. `Y = X·Wᵀ`, with optional output stride and offset (to fill a column slice of
 * a wider output).
 *
 * @param w - weights, outF × inF row-major
 * @param outF - output features (rows of w)
 * @param inF - input features (columns of w)
 * @param x - inputs, rows × inF
 * @param rows - number of input rows
 * @param y - outputs; row r, feature i at `offY + r·ldy + i`
 * @param ldy - row stride of y (default outF)
 * @param offY - offset of y (default 0)
 * @param accumulate - add into y instead of overwriting (default false)
 * @example
 * ```ts
 * const y = new Float32Array(2);
 * matvecRows(Float32Array.of(1, 2, 3, 4), 2, 2, Float32Array.of(1, 1), 1, y); // y = [3, 7]
 * ```
 */
export function matvecRows(
  w: Float32Array,
  outF: number,
  inF: number,
  x: Float32Array,
  rows: number,
  y: Float32Array,
  ldy = outF,
  offY = 0,
  accumulate = false,
): void {
  const n4 = inF - (inF % 4);
  for (let r = 0; r < rows; r++) {
    const xo = r * inF;
    const yo = offY + r * ldy;
    for (let i = 0; i < outF; i++) {
      const wo = i * inF;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < n4; j += 4) {
        s0 += w[wo + j]! * x[xo + j]!;
        s1 += w[wo + j + 1]! * x[xo + j + 1]!;
        s2 += w[wo + j + 2]! * x[xo + j + 2]!;
        s3 += w[wo + j + 3]! * x[xo + j + 3]!;
      }
      for (; j < inF; j++) s0 += w[wo + j]! * x[xo + j]!;
      const s = s0 + s1 + s2 + s3;
      if (accumulate) y[yo + i]! += s;
      else y[yo + i] = s;
    }
  }
}
