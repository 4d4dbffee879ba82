/**
 * Symmetric rank-k update (BLAS `syrk`), lower triangle, row-major:
 * `C ← α·A·Aᵀ + β·C` (trans `'N'`, A n×k) or `C ← α·Aᵀ·A + β·C` (trans `'T'`, A k×n).
 * Only the lower triangle of C is read and written. Recursive: the off-diagonal block is one GEMM,
 * diagonal blocks of at most 128 are done by a GEMM into a small scratch whose lower triangle is
 * copied back, so the strictly upper triangle of C is never touched.
 */
import type { GemmKernel } from '../backend/types';
import { gemmFor } from './trsm';
import type { FloatArray, Transpose } from './types';
import { checkDim, checkTrans, checkView } from './validate';

/**
 * Diagonal blocks of at most this order are one GEMM (a full square product: the few extra flops
 * cost less than the call and copy overhead of recursing further on the wasm backend).
 */
const BASE = 128;
let scratch32: Float32Array | undefined;
let scratch64: Float64Array | undefined;

/**
 * Unchecked lower syrk (see the module description).
 *
 * @param trans - `'N'`: C += α·A·Aᵀ with A n×k; `'T'`: C += α·Aᵀ·A with A k×n
 * @param n - order of C
 * @param k - the other dimension of A
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @param gemm - GEMM kernel of the matching precision
 * @param touchUpper - allow writing the strictly upper triangle of diagonal blocks (faster; used
 *   internally by Cholesky which clears it afterwards)
 * @example
 * ```ts
 * const c = new Float64Array(4);
 * syrkUnchecked('N', 2, 1, 1, new Float64Array([1, 2]), 1, 0, 0, c, 2, 0, gemmFor(c), false); // c = [1, 0, 2, 4]
 * ```
 */
export function syrkUnchecked(
  trans: Transpose,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  offA: number,
  beta: number,
  c: FloatArray,
  ldc: number,
  offC: number,
  gemm: GemmKernel<FloatArray>,
  touchUpper: boolean,
): void {
  if (n === 0) return;
  // A's rows [r0, r0 + r) as an operand of gemm (op = trans for the left factor)
  const rowsOff = (r0: number) => (trans === 'N' ? offA + r0 * lda : offA + r0);
  const tB: Transpose = trans === 'N' ? 'T' : 'N';
  if (n <= BASE) {
    if (touchUpper) {
      gemm(trans, tB, n, n, k, alpha, a, lda, offA, a, lda, offA, beta, c, ldc, offC);
      return;
    }
    const s =
      c instanceof Float64Array
        ? (scratch64 ??= new Float64Array(BASE * BASE))
        : (scratch32 ??= new Float32Array(BASE * BASE));
    gemm(trans, tB, n, n, k, alpha, a, lda, offA, a, lda, offA, 0, s, n, 0);
    for (let i = 0; i < n; i++) {
      const ci = offC + i * ldc;
      for (let j = 0; j <= i; j++) {
        c[ci + j] = beta === 0 ? s[i * n + j]! : s[i * n + j]! + beta * c[ci + j]!;
      }
    }
    return;
  }
  const h = n >> 1;
  syrkUnchecked(trans, h, k, alpha, a, lda, offA, beta, c, ldc, offC, gemm, touchUpper);
  gemm(
    trans,
    tB,
    n - h,
    h,
    k,
    alpha,
    a,
    lda,
    rowsOff(h),
    a,
    lda,
    offA,
    beta,
    c,
    ldc,
    offC + h * ldc,
  );
  syrkUnchecked(
    trans,
    n - h,
    k,
    alpha,
    a,
    lda,
    rowsOff(h),
    beta,
    c,
    ldc,
    offC + h * ldc + h,
    gemm,
    touchUpper,
  );
}

function checkSyrk(
  routine: string,
  trans: Transpose,
  n: number,
  k: number,
  a: FloatArray,
  lda: number,
  offA: number,
  c: FloatArray,
  ldc: number,
  offC: number,
): void {
  checkTrans(routine, 'trans', trans);
  checkDim(routine, 'n', n);
  checkDim(routine, 'k', k);
  if (trans === 'N') checkView(routine, 'a', a, n, k, lda, offA);
  else checkView(routine, 'a', a, k, n, lda, offA);
  checkView(routine, 'c', c, n, n, ldc, offC);
}

/**
 * Single-precision symmetric rank-k update of the lower triangle of C.
 *
 * @param trans - `'N'`: C ← α·A·Aᵀ + β·C, A n×k; `'T'`: C ← α·Aᵀ·A + β·C, A k×n
 * @param n - order of C
 * @param k - other dimension of A
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param beta - scale of C on entry
 * @param c - storage of C (lower triangle updated; upper untouched)
 * @param ldc - leading dimension of C
 * @param offA - offset of A (default 0)
 * @param offC - offset of C (default 0)
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const c = new Float32Array(4);
 * ssyrk('T', 2, 1, 1, new Float32Array([1, 2]), 2, 0, c, 2); // c = [1, 0, 2, 4]
 * ```
 */
export function ssyrk(
  trans: Transpose,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  beta: number,
  c: Float32Array,
  ldc: number,
  offA = 0,
  offC = 0,
): void {
  checkSyrk('ssyrk', trans, n, k, a, lda, offA, c, ldc, offC);
  syrkUnchecked(trans, n, k, alpha, a, lda, offA, beta, c, ldc, offC, gemmFor(c), false);
}

/**
 * Double-precision symmetric rank-k update of the lower triangle of C (see {@link ssyrk}).
 *
 * @param trans - `'N'` or `'T'`
 * @param n - order of C
 * @param k - other dimension of A
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offA - offset of A
 * @param offC - offset of C
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const c = new Float64Array(4);
 * dsyrk('N', 2, 1, 2, new Float64Array([1, 2]), 1, 0, c, 2); // c = [2, 0, 4, 8]
 * ```
 */
export function dsyrk(
  trans: Transpose,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  beta: number,
  c: Float64Array,
  ldc: number,
  offA = 0,
  offC = 0,
): void {
  checkSyrk('dsyrk', trans, n, k, a, lda, offA, c, ldc, offC);
  syrkUnchecked(trans, n, k, alpha, a, lda, offA, beta, c, ldc, offC, gemmFor(c), false);
}
