/**
 * Solves and inverses of symmetric positive definite systems through Cholesky (float64):
 * `A·X = B` ⇒ `L·Y = B`, `Lᵀ·X = Y`; `A⁻¹ = L⁻ᵀ·L⁻¹`.
 */
import { gemmFor, trsmUnchecked } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { dpotrf } from './cholesky';

/**
 * Solves `L·Lᵀ·X = B` in place for a Cholesky factor L (n×n lower, row-major).
 *
 * @param l - the factor
 * @param n - order
 * @param b - B (n×nrhs), overwritten by X
 * @param nrhs - number of right-hand sides
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const b = new Float64Array([4]);
 * choleskySolve(new Float64Array([2]), 1, b, 1); // b = [1]
 * ```
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, nrhs: number): void {
  checkDim('choleskySolve', 'n', n);
  checkDim('choleskySolve', 'nrhs', nrhs);
  checkView('choleskySolve', 'l', l, n, n, n, 0);
  checkView('choleskySolve', 'b', b, n, nrhs, Math.max(1, nrhs), 0);
  const gemm = gemmFor(b);
  const ldb = Math.max(1, nrhs);
  trsmUnchecked('L', 'L', 'N', 'N', n, nrhs, l, n, 0, b, ldb, 0, gemm);
  trsmUnchecked('L', 'L', 'T', 'N', n, nrhs, l, n, 0, b, ldb, 0, gemm);
}

/**
 * Solves `A·X = B` for symmetric positive definite A (float64 arithmetic; inputs not modified).
 *
 * @param a - A, n×n row-major (lower triangle read)
 * @param n - order
 * @param b - B, n×nrhs row-major
 * @param nrhs - number of right-hand sides (default 1)
 * @returns X, n×nrhs
 * @throws CalderaError `NOT_POSITIVE_DEFINITE`, `NON_FINITE_INPUT`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * spdSolve(new Float64Array([4, 2, 2, 5]), 2, new Float64Array([6, 7])); // [1, 1]
 * ```
 */
export function spdSolve(a: FloatArray, n: number, b: FloatArray, nrhs = 1): Float64Array {
  checkDim('spdSolve', 'n', n);
  checkDim('spdSolve', 'nrhs', nrhs);
  checkView('spdSolve', 'a', a, n, n, n, 0);
  checkView('spdSolve', 'b', b, n, nrhs, Math.max(1, nrhs), 0);
  checkFinite('spdSolve', 'b', b, n, nrhs, Math.max(1, nrhs), 0);
  const l = Float64Array.from(a.subarray(0, n * n));
  dpotrf(n, l);
  const x = Float64Array.from(b.subarray(0, n * nrhs));
  choleskySolve(l, n, x, nrhs);
  return x;
}

/**
 * Inverse of a symmetric positive definite matrix via Cholesky (float64; A not modified).
 *
 * @param a - A, n×n row-major (lower triangle read)
 * @param n - order
 * @returns A⁻¹, n×n, symmetric
 * @throws CalderaError `NOT_POSITIVE_DEFINITE`, `NON_FINITE_INPUT`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * spdInverse(new Float64Array([2, 0, 0, 4]), 2); // [0.5, 0, 0, 0.25]
 * ```
 */
export function spdInverse(a: FloatArray, n: number): Float64Array {
  checkDim('spdInverse', 'n', n);
  checkView('spdInverse', 'a', a, n, n, n, 0);
  const l = Float64Array.from(a.subarray(0, n * n));
  dpotrf(n, l);
  // A⁻¹ = L⁻ᵀ·L⁻¹: X = L⁻¹ (solve L·X = I), then A⁻¹ = Xᵀ·X
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  const gemm = gemmFor(x);
  trsmUnchecked('L', 'L', 'N', 'N', n, n, l, n, 0, x, n, 0, gemm);
  const inv = new Float64Array(n * n);
  gemm('T', 'N', n, n, n, 1, x, n, 0, x, n, 0, 0, inv, n, 0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (inv[i * n + j]! + inv[j * n + i]!);
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}
