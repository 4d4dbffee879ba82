/**
 * Two-sided RHT of a weight (or Hessian) matrix, in the convention of algorithms.md §3:
 * U = diag(SU)·M_n, V = diag(SV)·M_m and
 *
 *     W_r = Vᵀ·W·U            (rhtTwoSided)
 *     W   = V·W_r·Uᵀ          (rhtTwoSidedInverse)
 *     H_r = Uᵀ·H·U            (rhtTwoSided(H, n, n, SU, SU))
 *
 * The row side is {@link rhtRows}; the column side transposes into a scratch buffer, transforms
 * rows and transposes back.
 */
import type { FloatArray } from '../blas/types';
import { checkDim, checkView } from '../blas/validate';
import { rhtRows, rhtRowsInverse } from './rht';

function transposeInto(
  src: FloatArray,
  rows: number,
  cols: number,
  ld: number,
  off: number,
  dst: FloatArray,
): void {
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++)
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[off + i * ld + j]!;
    }
  }
}

function transposeBack(
  src: FloatArray,
  rows: number,
  cols: number,
  dst: FloatArray,
  ld: number,
  off: number,
): void {
  // src is cols×rows (the transposed layout); write dst (rows×cols) view
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++)
        for (let j = j0; j < j1; j++) dst[off + i * ld + j] = src[j * rows + i]!;
    }
  }
}

function twoSided(
  w: FloatArray,
  m: number,
  n: number,
  signsLeft: FloatArray,
  signsRight: FloatArray,
  ld: number,
  off: number,
  inverse: boolean,
): void {
  checkDim('rhtTwoSided', 'm', m);
  checkDim('rhtTwoSided', 'n', n);
  checkView('rhtTwoSided', 'w', w, m, n, ld, off);
  const rowOp = inverse ? rhtRowsInverse : rhtRows;
  rowOp(w, m, n, signsRight, ld, off);
  const t = w instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
  transposeInto(w, m, n, ld, off, t);
  rowOp(t, n, m, signsLeft);
  transposeBack(t, m, n, w, ld, off);
}

/**
 * In place W ← Vᵀ·W·U with V = diag(signsLeft)·M_m and U = diag(signsRight)·M_n.
 *
 * @param w - the m×n matrix, row-major
 * @param m - rows (supported RHT dimension)
 * @param n - columns (supported RHT dimension)
 * @param signsLeft - SV, length m
 * @param signsRight - SU, length n
 * @param ld - row stride, default n
 * @param off - offset, default 0
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when m or n needs padding; `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const su = rng.signs(n), sv = rng.signs(m);
 * rhtTwoSided(w, m, n, sv, su);        // w = W_r
 * rhtTwoSidedInverse(w, m, n, sv, su); // w ≈ W again
 * ```
 */
export function rhtTwoSided(
  w: FloatArray,
  m: number,
  n: number,
  signsLeft: FloatArray,
  signsRight: FloatArray,
  ld = n,
  off = 0,
): void {
  twoSided(w, m, n, signsLeft, signsRight, ld, off, false);
}

/**
 * In place W ← V·W·Uᵀ, the inverse of {@link rhtTwoSided}.
 *
 * @param w - the m×n matrix W_r, row-major
 * @param m - rows
 * @param n - columns
 * @param signsLeft - SV, length m
 * @param signsRight - SU, length n
 * @param ld - row stride, default n
 * @param off - offset, default 0
 * @throws CalderaError `UNSUPPORTED_DIMENSION`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * rhtTwoSidedInverse(wr, m, n, sv, su); // W = V·W_r·Uᵀ
 * ```
 */
export function rhtTwoSidedInverse(
  w: FloatArray,
  m: number,
  n: number,
  signsLeft: FloatArray,
  signsRight: FloatArray,
  ld = n,
  off = 0,
): void {
  twoSided(w, m, n, signsLeft, signsRight, ld, off, true);
}
