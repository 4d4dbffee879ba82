/**
 * Cholesky factorization `A = L·Lᵀ` of a symmetric positive definite matrix (LAPACK `potrf`,
 * lower), recursive: factor A11, solve `L21 = A21·L11⁻ᵀ` (trsm), update `A22 ← A22 − L21·L21ᵀ`
 * (syrk), factor A22. Blocks of at most 32 are factored by the scalar algorithm, so the bulk of
 * the n³/3 flops runs in GEMM on the active backend.
 */
import { CalderaError } from '@caldera/core';
import type { GemmKernel } from '../backend/types';
import { syrkUnchecked } from '../blas/syrk';
import { gemmFor, trsmUnchecked } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFiniteLower, checkView } from '../blas/validate';

const BASE = 32;

function notPd(routine: string, index: number, pivot: number): CalderaError {
  return new CalderaError(
    'NOT_POSITIVE_DEFINITE',
    `${routine}: matrix is not positive definite (pivot ${index} is ${pivot})`,
    { details: { index, pivot } },
  );
}

function potrfBase(
  routine: string,
  n: number,
  a: FloatArray,
  lda: number,
  off: number,
  g0: number,
): void {
  for (let j = 0; j < n; j++) {
    const rj = off + j * lda;
    let d = a[rj + j]!;
    for (let p = 0; p < j; p++) d -= a[rj + p]! * a[rj + p]!;
    if (!(d > 0) || !Number.isFinite(d)) throw notPd(routine, g0 + j, d);
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = off + i * lda;
      let s = a[ri + j]!;
      for (let p = 0; p < j; p++) s -= a[ri + p]! * a[rj + p]!;
      a[ri + j] = s * inv;
    }
  }
}

/**
 * Unchecked recursive lower Cholesky in place. The strictly upper triangle is used as workspace
 * (its content afterwards is unspecified; the public routines clear it).
 *
 * @param routine - name for error messages
 * @param n - order
 * @param a - storage
 * @param lda - leading dimension
 * @param off - offset
 * @param gemm - GEMM kernel of the matching precision
 * @param g0 - global index of the first row (for error messages)
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` with the failing pivot index
 * @example
 * ```ts
 * const a = new Float64Array([4, 0, 2, 2]);
 * potrfUnchecked('dpotrf', 2, a, 2, 0, gemmFor(a), 0); // lower triangle = [[2], [1, 1]]
 * ```
 */
export function potrfUnchecked(
  routine: string,
  n: number,
  a: FloatArray,
  lda: number,
  off: number,
  gemm: GemmKernel<FloatArray>,
  g0: number,
): void {
  if (n <= BASE) {
    potrfBase(routine, n, a, lda, off, g0);
    return;
  }
  let h = n >> 1;
  h += (4 - (h % 4)) % 4;
  potrfUnchecked(routine, h, a, lda, off, gemm, g0);
  const a21 = off + h * lda;
  trsmUnchecked('R', 'L', 'T', 'N', n - h, h, a, lda, off, a, lda, a21, gemm);
  syrkUnchecked('N', n - h, h, -1, a, lda, a21, 1, a, lda, a21 + h, gemm, true);
  potrfUnchecked(routine, n - h, a, lda, a21 + h, gemm, g0 + h);
}

function potrf(routine: string, n: number, a: FloatArray, lda: number, off: number): void {
  checkDim(routine, 'n', n);
  checkView(routine, 'a', a, n, n, lda, off);
  checkFiniteLower(routine, 'a', a, n, lda, off);
  potrfUnchecked(routine, n, a, lda, off, gemmFor(a), 0);
  for (let i = 0; i < n; i++) a.fill(0, off + i * lda + i + 1, off + i * lda + n);
}

/**
 * Double-precision Cholesky `A = L·Lᵀ` in place (lower). Only the lower triangle of A is read;
 * on return it holds L and the strictly upper triangle is set to zero, so A becomes exactly L.
 * The lower triangle is scanned for NaN/Inf first.
 *
 * @param n - order of A
 * @param a - storage of A (n×n view)
 * @param lda - leading dimension (default n)
 * @param offA - offset (default 0)
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` (details.index: the failing pivot),
 *   `NON_FINITE_INPUT`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const a = new Float64Array([4, 2, 2, 5]);
 * dpotrf(2, a); // a = [2, 0, 1, 2]
 * ```
 */
export function dpotrf(n: number, a: Float64Array, lda = n, offA = 0): void {
  potrf('dpotrf', n, a, lda, offA);
}

/**
 * Single-precision Cholesky in place (see {@link dpotrf}); the GEMM updates run in float32 on the
 * wasm backend, the scalar 32×32 blocks in float64.
 *
 * @param n - order of A
 * @param a - storage of A
 * @param lda - leading dimension (default n)
 * @param offA - offset (default 0)
 * @throws CalderaError `NOT_POSITIVE_DEFINITE`, `NON_FINITE_INPUT`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const a = new Float32Array([9, 0, 3, 5]);
 * spotrf(2, a); // a = [3, 0, 1, 2]
 * ```
 */
export function spotrf(n: number, a: Float32Array, lda = n, offA = 0): void {
  potrf('spotrf', n, a, lda, offA);
}
