/**
 * Public GEMM: validates once, then dispatches to the active backend (`getBackend()`).
 * Inputs are not scanned for NaN/Inf here (that would cost a pass over every operand on the
 * hottest path); factorizations and solves check their inputs instead.
 */
import { getBackend } from '../backend/registry';
import type { Transpose } from './types';
import { checkGemm } from './validate';

/**
 * Single-precision GEMM `C ← α·op(A)·op(B) + β·C` on row-major strided views (op(A) is m×k,
 * op(B) k×n). On the `wasm` backend the products accumulate in float32 (the `js` backend
 * accumulates tiles in float64); both agree with `sgemmRef` to about `k·2⁻²³·‖A‖‖B‖`.
 *
 * @param transA - `'N'`: A stored m×k; `'T'`: A stored k×m
 * @param transB - `'N'`: B stored k×n; `'T'`: B stored n×k
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension (row stride) of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param beta - scale of C on entry (when 0, C is not read, so NaN there is ignored)
 * @param c - storage of C, overwritten
 * @param ldc - leading dimension of C
 * @param offA - offset of A's element (0, 0), default 0
 * @param offB - offset of B's element (0, 0), default 0
 * @param offC - offset of C's element (0, 0), default 0
 * @throws CalderaError `SHAPE_MISMATCH` when a dimension, stride or offset is invalid or a view
 *   does not fit its array
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4]); // 2×2
 * const c = new Float32Array(4);
 * sgemm('N', 'T', 2, 2, 2, 1, a, 2, a, 2, 0, c, 2); // c = A·Aᵀ = [5, 11, 11, 25]
 * ```
 */
export function sgemm(
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
  checkGemm('sgemm', transA, transB, m, n, k, a, lda, offA, b, ldb, offB, c, ldc, offC);
  getBackend().sgemm(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    a,
    lda,
    offA,
    b,
    ldb,
    offB,
    beta,
    c,
    ldc,
    offC,
  );
}

/**
 * Double-precision GEMM `C ← α·op(A)·op(B) + β·C` (same contract as {@link sgemm} on
 * `Float64Array`s; agrees with `dgemmRef` to about `k·2⁻⁵²·‖A‖‖B‖`).
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
 * dgemm('N', 'N', 1, 1, 2, 1, new Float64Array([1, 2]), 2, new Float64Array([3, 4]), 1, 0, c, 1);
 * // c[0] === 11
 * ```
 */
export function dgemm(
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
  checkGemm('dgemm', transA, transB, m, n, k, a, lda, offA, b, ldb, offB, c, ldc, offC);
  getBackend().dgemm(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    a,
    lda,
    offA,
    b,
    ldb,
    offB,
    beta,
    c,
    ldc,
    offC,
  );
}
