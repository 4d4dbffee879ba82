/**
 * LDLᵀ factorizations of a symmetric positive definite matrix, derived from its Cholesky factor
 * `A = C·Cᵀ` (so they inherit its blocked speed and its `NOT_POSITIVE_DEFINITE` check):
 *
 * - scalar: `A = L·D·Lᵀ` with L unit lower triangular and D diagonal, `L = C·diag(C)⁻¹`,
 *   `D = diag(C)²`;
 * - block (size g): `A = L·D·Lᵀ` with L unit block-lower-triangular (g×g identity diagonal
 *   blocks) and D block-diagonal with g×g SPD blocks: with B = blockdiag(C_kk),
 *   `L = C·B⁻¹` (off-diagonal blocks `L_ik = C_ik·C_kk⁻¹`, a trsm) and `D_k = C_kk·C_kkᵀ`.
 *   When g does not divide n, the last block is smaller (n mod g).
 *
 * Everything is float64 (inputs may be float32; they are widened first).
 */
import { CalderaError, describeValue } from '@caldera/core';
import { gemmFor, trsmUnchecked } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkView } from '../blas/validate';
import { dpotrf } from './cholesky';

/**
 * The result of {@link ldl}.
 *
 * @example
 * ```ts
 * const r: LdlResult = { l: new Float64Array([1]), d: new Float64Array([2]) };
 * ```
 */
export interface LdlResult {
  /** Unit lower triangular L, n×n row-major (zeros above the diagonal). */
  l: Float64Array;
  /** The diagonal of D, length n. */
  d: Float64Array;
}

/**
 * The result of {@link blockLdl}.
 *
 * @example
 * ```ts
 * const r: BlockLdlResult = { l: new Float64Array([1]), d: new Float64Array([2]), g: 8 };
 * ```
 */
export interface BlockLdlResult {
  /** Unit block-lower-triangular L, n×n row-major (identity diagonal blocks, zeros above). */
  l: Float64Array;
  /**
   * D as a dense n×n row-major block-diagonal matrix (zeros outside the g×g diagonal blocks; the
   * last block is (n mod g)² when g does not divide n).
   */
  d: Float64Array;
  /** The block size. */
  g: number;
}

function choleskyCopy(routine: string, a: FloatArray, n: number): Float64Array {
  checkDim(routine, 'n', n);
  checkView(routine, 'a', a, n, n, n, 0);
  const c = Float64Array.from(a.subarray(0, n * n));
  dpotrf(n, c);
  return c;
}

/**
 * LDLᵀ of a symmetric positive definite matrix (lower triangle read; A not modified).
 *
 * @param a - A, n×n row-major (float32 or float64)
 * @param n - order
 * @returns unit lower L and the diagonal of D
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` (details.index: failing pivot), `NON_FINITE_INPUT`,
 *   `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const { l, d } = ldl(new Float64Array([4, 2, 2, 5]), 2);
 * // l = [1, 0, 0.5, 1], d = [4, 4]
 * ```
 */
export function ldl(a: FloatArray, n: number): LdlResult {
  const l = choleskyCopy('ldl', a, n);
  const d = new Float64Array(n);
  const inv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const cjj = l[j * n + j]!;
    d[j] = cjj * cjj;
    inv[j] = 1 / cjj;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) l[i * n + j] = l[i * n + j]! * inv[j]!;
    l[i * n + i] = 1;
  }
  return { l, d };
}

/**
 * Block LDLᵀ with block size g (g = 8 for LDLQ) of a symmetric positive definite matrix.
 *
 * @param a - A, n×n row-major (lower triangle read; not modified)
 * @param n - order
 * @param g - block size ≥ 1
 * @returns L (unit block-lower), D (dense block-diagonal) and g
 * @throws CalderaError `NOT_POSITIVE_DEFINITE`, `NON_FINITE_INPUT`, `SHAPE_MISMATCH` (also for
 *   an invalid g)
 * @example
 * ```ts
 * const { l, d } = blockLdl(new Float64Array([4, 2, 2, 5]), 2, 2);
 * // one block: l = I, d = A
 * ```
 */
export function blockLdl(a: FloatArray, n: number, g: number): BlockLdlResult {
  if (!Number.isInteger(g) || g < 1) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `blockLdl: block size g must be a positive integer, got ${describeValue(g)}`,
    );
  }
  const c = choleskyCopy('blockLdl', a, n);
  const d = new Float64Array(n * n);
  const gemm = gemmFor(c);
  for (let k0 = 0; k0 < n; k0 += g) {
    const gk = Math.min(g, n - k0);
    const ckk = k0 * n + k0;
    // D_k = C_kk·C_kkᵀ (C_kk lower)
    for (let i = 0; i < gk; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let p = 0; p <= j; p++) s += c[ckk + i * n + p]! * c[ckk + j * n + p]!;
        d[(k0 + i) * n + k0 + j] = s;
        d[(k0 + j) * n + k0 + i] = s;
      }
    }
    // L_ik = C_ik·C_kk⁻¹ for rows below the block
    const below = n - k0 - gk;
    if (below > 0) {
      trsmUnchecked('R', 'L', 'N', 'N', below, gk, c, n, ckk, c, n, (k0 + gk) * n + k0, gemm);
    }
  }
  // diagonal blocks become identity
  for (let k0 = 0; k0 < n; k0 += g) {
    const gk = Math.min(g, n - k0);
    for (let i = 0; i < gk; i++) {
      for (let j = 0; j < gk; j++) c[(k0 + i) * n + k0 + j] = i === j ? 1 : 0;
    }
  }
  return { l: c, d, g };
}
