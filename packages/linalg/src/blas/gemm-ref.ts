/**
 * Reference GEMM: the plain triple loop `C ← α·op(A)·op(B) + β·C`, accumulated in float64.
 * Slow and obviously correct; every fast path is tested against it.
 */
import type { FloatArray, Transpose } from './types';
import { checkGemm } from './validate';

/**
 * Reference GEMM on any float arrays (no validation; see {@link sgemmRef}).
 *
 * @param transA - `'N'`: A is m×k; `'T'`: A is stored k×m
 * @param transB - `'N'`: B is k×n; `'T'`: B is stored n×k
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param beta - scale of C on entry (when 0, C is not read)
 * @param c - storage of C, overwritten
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @example
 * ```ts
 * const c = new Float64Array(1);
 * gemmRefUnchecked('N', 'N', 1, 1, 2, 1, new Float64Array([1, 2]), 2, 0, new Float64Array([3, 4]), 1, 0, 0, c, 1, 0);
 * // c[0] === 11
 * ```
 */
export function gemmRefUnchecked(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: FloatArray,
  ldb: number,
  offB: number,
  beta: number,
  c: FloatArray,
  ldc: number,
  offC: number,
): void {
  const sAi = transA === 'N' ? lda : 1;
  const sAp = transA === 'N' ? 1 : lda;
  const sBp = transB === 'N' ? ldb : 1;
  const sBj = transB === 'N' ? 1 : ldb;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[offA + i * sAi + p * sAp]! * b[offB + p * sBp + j * sBj]!;
      const ci = offC + i * ldc + j;
      c[ci] = beta === 0 ? alpha * s : alpha * s + beta * c[ci]!;
    }
  }
}

/**
 * Reference single-precision GEMM `C ← α·op(A)·op(B) + β·C` (triple loop, float64 accumulation).
 *
 * @param transA - `'N'`: A is m×k; `'T'`: A is stored k×m
 * @param transB - `'N'`: B is k×n; `'T'`: B is stored n×k
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param beta - scale of C on entry (when 0, C is not read)
 * @param c - storage of C, overwritten
 * @param ldc - leading dimension of C
 * @param offA - offset of A (default 0)
 * @param offB - offset of B (default 0)
 * @param offC - offset of C (default 0)
 * @throws CalderaError `SHAPE_MISMATCH` when a view does not fit its array
 * @example
 * ```ts
 * const c = new Float32Array(4);
 * sgemmRef('N', 'N', 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([1, 0, 0, 1]), 2, 0, c, 2);
 * // c = [1, 2, 3, 4]
 * ```
 */
export function sgemmRef(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
  offA = 0,
  offB = 0,
  offC = 0,
): void {
  checkGemm('sgemmRef', transA, transB, m, n, k, a, lda, offA, b, ldb, offB, c, ldc, offC);
  gemmRefUnchecked(transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
}

/**
 * Reference double-precision GEMM (same contract as {@link sgemmRef} on `Float64Array`s).
 *
 * @param transA - op of A
 * @param transB - op of B
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offA - offset of A
 * @param offB - offset of B
 * @param offC - offset of C
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const c = new Float64Array(1);
 * dgemmRef('T', 'N', 1, 1, 2, 2, new Float64Array([1, 2]), 1, new Float64Array([3, 4]), 1, 0, c, 1);
 * // c[0] === 22
 * ```
 */
export function dgemmRef(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  beta: number,
  c: Float64Array,
  ldc: number,
  offA = 0,
  offB = 0,
  offC = 0,
): void {
  checkGemm('dgemmRef', transA, transB, m, n, k, a, lda, offA, b, ldb, offB, c, ldc, offC);
  gemmRefUnchecked(transA, transB, m, n, k, alpha, a, lda, offA, b, ldb, offB, beta, c, ldc, offC);
}
