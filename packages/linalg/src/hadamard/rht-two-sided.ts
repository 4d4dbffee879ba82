/**
 * Two-sided RHT of a weight (or Hessian) matrix, in the convention of algorithms.md §3:
 * U = diag(SU)·M_n, V = diag(SV)·M_m and
 *
 *     W_r = Vᵀ·W·U            (rhtTwoSided)
 *     W   = V·W_r·Uᵀ          (rhtTwoSidedInverse)
 *     H_r = Uᵀ·H·U            (rhtTwoSided(H, n, n, SU, SU))
 *
 * The row side is {@link rhtRows}; the column side gathers 64 columns at a time into a transposed
 * scratch block, transforms its rows and scatters them back.
 */
import type { FloatArray } from '../blas/types';
import { checkDim, checkView } from '../blas/validate';
import { rhtRows, rhtRowsInverse } from './rht';

const COLS = 64;

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
  // column side, COLS columns at a time: gather the block transposed (cb×m), transform its rows,
  // scatter back (scratch is COLS·m, not m·n)
  const cbMax = Math.min(COLS, n);
  const t = w instanceof Float32Array ? new Float32Array(cbMax * m) : new Float64Array(cbMax * m);
  for (let j0 = 0; j0 < n; j0 += COLS) {
    const cb = Math.min(COLS, n - j0);
    for (let i = 0; i < m; i++) {
      const src = off + i * ld + j0;
      for (let j = 0; j < cb; j++) t[j * m + i] = w[src + j]!;
    }
    rowOp(t, cb, m, signsLeft);
    for (let i = 0; i < m; i++) {
      const dst = off + i * ld + j0;
      for (let j = 0; j < cb; j++) w[dst + j] = t[j * m + i]!;
    }
  }
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
