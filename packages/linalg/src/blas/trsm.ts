/**
 * Triangular solve with many right-hand sides (BLAS `trsm`), recursive so that almost all of the
 * work runs in GEMM on the active backend:
 *
 * - side `'L'`: solve op(A)·X = α·B, A m×m, B m×n;
 * - side `'R'`: solve X·op(A) = α·B, A n×n, B m×n;
 *
 * B is overwritten with X. A is lower (`uplo = 'L'`) or upper triangular; only that triangle is
 * read; with `diag = 'U'` its diagonal is taken as ones. Splitting op(A) into 2×2 blocks gives
 * two half-size solves and one GEMM update; blocks of at most 32 are solved by substitution.
 */

import { CalderaError, describeValue } from '@caldera/core';
import { getBackend } from '../backend/registry';
import type { GemmKernel } from '../backend/types';
import { scaleView } from './sgemm-blocked';
import { INV_BASE, INV_MIN_OTHER, trsmByInverse } from './trsm-inverse-leaf';
import type { Diag, FloatArray, Side, Transpose, Uplo } from './types';
import { checkDim, checkFinite, checkTrans, checkView } from './validate';

const BASE = 16;

/**
 * The active backend's GEMM for the precision of `x`.
 *
 * @param x - an operand (its type picks sgemm or dgemm)
 * @returns the unchecked kernel
 * @example
 * ```ts
 * gemmFor(new Float64Array(1)); // the backend's dgemm
 * ```
 */
export function gemmFor(x: FloatArray): GemmKernel<FloatArray> {
  const be = getBackend();
  return (x instanceof Float64Array ? be.dgemm : be.sgemm) as unknown as GemmKernel<FloatArray>;
}

function substitute(
  side: Side,
  lower: boolean,
  trans: Transpose,
  unit: boolean,
  m: number,
  n: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: FloatArray,
  ldb: number,
  offB: number,
): void {
  // op(A)(i, j)
  const si = trans === 'N' ? lda : 1;
  const sj = trans === 'N' ? 1 : lda;
  if (side === 'L') {
    for (let t = 0; t < m; t++) {
      const i = lower ? t : m - 1 - t;
      const bi = offB + i * ldb;
      const p0 = lower ? 0 : i + 1;
      const p1 = lower ? i : m;
      for (let p = p0; p < p1; p++) {
        const aip = a[offA + i * si + p * sj]!;
        if (aip === 0) continue;
        const bp = offB + p * ldb;
        for (let j = 0; j < n; j++) b[bi + j]! -= aip * b[bp + j]!;
      }
      if (!unit) {
        const inv = 1 / a[offA + i * si + i * sj]!;
        for (let j = 0; j < n; j++) b[bi + j]! *= inv;
      }
    }
  } else {
    // x·op(A) = b for each row x of B; op(A) is n×n. Four rows at a time give four independent
    // accumulation chains per step (the scalar loop is latency-bound otherwise).
    let r = 0;
    for (; r + 4 <= m; r += 4) {
      const b0 = offB + r * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      for (let t = 0; t < n; t++) {
        const j = lower ? n - 1 - t : t;
        let s0 = b[b0 + j]!;
        let s1 = b[b1 + j]!;
        let s2 = b[b2 + j]!;
        let s3 = b[b3 + j]!;
        const p0 = lower ? j + 1 : 0;
        const p1 = lower ? n : j;
        for (let p = p0; p < p1; p++) {
          const apj = a[offA + p * si + j * sj]!;
          s0 -= b[b0 + p]! * apj;
          s1 -= b[b1 + p]! * apj;
          s2 -= b[b2 + p]! * apj;
          s3 -= b[b3 + p]! * apj;
        }
        const inv = unit ? 1 : 1 / a[offA + j * si + j * sj]!;
        b[b0 + j] = s0 * inv;
        b[b1 + j] = s1 * inv;
        b[b2 + j] = s2 * inv;
        b[b3 + j] = s3 * inv;
      }
    }
    for (; r < m; r++) {
      const br = offB + r * ldb;
      for (let t = 0; t < n; t++) {
        const j = lower ? n - 1 - t : t;
        let s = b[br + j]!;
        const p0 = lower ? j + 1 : 0;
        const p1 = lower ? n : j;
        for (let p = p0; p < p1; p++) s -= b[br + p]! * a[offA + p * si + j * sj]!;
        b[br + j] = unit ? s : s / a[offA + j * si + j * sj]!;
      }
    }
  }
}

/**
 * Unchecked recursive trsm (see the module description); `alpha` must already be applied.
 *
 * @param side - `'L'` or `'R'`
 * @param uplo - stored triangle of A
 * @param trans - op of A
 * @param diag - unit or stored diagonal
 * @param m - rows of B
 * @param n - columns of B
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B (overwritten by X)
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param gemm - the GEMM kernel of the matching precision
 * @example
 * ```ts
 * const b = new Float64Array([2]);
 * trsmUnchecked('L', 'L', 'N', 'N', 1, 1, new Float64Array([2]), 1, 0, b, 1, 0, gemmFor(b)); // b = [1]
 * ```
 */
export function trsmUnchecked(
  side: Side,
  uplo: Uplo,
  trans: Transpose,
  diag: Diag,
  m: number,
  n: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: FloatArray,
  ldb: number,
  offB: number,
  gemm: GemmKernel<FloatArray>,
): void {
  const lower = (uplo === 'L') !== (trans === 'T');
  const size = side === 'L' ? m : n;
  if (m === 0 || n === 0) return;
  if (size <= BASE) {
    substitute(side, lower, trans, diag === 'U', m, n, a, lda, offA, b, ldb, offB);
    return;
  }
  if (
    b instanceof Float32Array &&
    size <= INV_BASE &&
    (side === 'L' ? n : m) >= INV_MIN_OTHER &&
    trsmByInverse(side, lower, trans, diag === 'U', m, n, a, lda, offA, b, ldb, offB, gemm)
  ) {
    return;
  }
  const h = (size >> 1) + ((size >> 1) % 4 === 0 ? 0 : 4 - ((size >> 1) % 4));
  const h2 = size - h;
  // offset of block (r0, c0) of op(A), and the gemm transpose flag to read it
  const blk = (r0: number, c0: number) =>
    trans === 'N' ? offA + r0 * lda + c0 : offA + c0 * lda + r0;
  const a11 = blk(0, 0);
  const a22 = blk(h, h);
  if (side === 'L') {
    if (lower) {
      trsmUnchecked(side, uplo, trans, diag, h, n, a, lda, a11, b, ldb, offB, gemm);
      gemm(trans, 'N', h2, n, h, -1, a, lda, blk(h, 0), b, ldb, offB, 1, b, ldb, offB + h * ldb);
      trsmUnchecked(side, uplo, trans, diag, h2, n, a, lda, a22, b, ldb, offB + h * ldb, gemm);
    } else {
      trsmUnchecked(side, uplo, trans, diag, h2, n, a, lda, a22, b, ldb, offB + h * ldb, gemm);
      gemm(trans, 'N', h, n, h2, -1, a, lda, blk(0, h), b, ldb, offB + h * ldb, 1, b, ldb, offB);
      trsmUnchecked(side, uplo, trans, diag, h, n, a, lda, a11, b, ldb, offB, gemm);
    }
  } else if (lower) {
    trsmUnchecked(side, uplo, trans, diag, m, h2, a, lda, a22, b, ldb, offB + h, gemm);
    gemm('N', trans, m, h, h2, -1, b, ldb, offB + h, a, lda, blk(h, 0), 1, b, ldb, offB);
    trsmUnchecked(side, uplo, trans, diag, m, h, a, lda, a11, b, ldb, offB, gemm);
  } else {
    trsmUnchecked(side, uplo, trans, diag, m, h, a, lda, a11, b, ldb, offB, gemm);
    gemm('N', trans, m, h2, h, -1, b, ldb, offB, a, lda, blk(0, h), 1, b, ldb, offB + h);
    trsmUnchecked(side, uplo, trans, diag, m, h2, a, lda, a22, b, ldb, offB + h, gemm);
  }
}

function checkTrsm(
  routine: string,
  side: Side,
  uplo: Uplo,
  trans: Transpose,
  diag: Diag,
  m: number,
  n: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: FloatArray,
  ldb: number,
  offB: number,
): void {
  const flags: [string, string, string[]][] = [
    ['side', side, ['L', 'R']],
    ['uplo', uplo, ['L', 'U']],
    ['diag', diag, ['N', 'U']],
  ];
  for (const [name, value, allowed] of flags) {
    if (!allowed.includes(value)) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `${routine}: ${name} must be one of ${allowed.join('/')}, got ${describeValue(value)}`,
      );
    }
  }
  checkTrans(routine, 'trans', trans);
  checkDim(routine, 'm', m);
  checkDim(routine, 'n', n);
  const na = side === 'L' ? m : n;
  checkView(routine, 'a', a, na, na, lda, offA);
  checkView(routine, 'b', b, m, n, ldb, offB);
  checkFinite(routine, 'b', b, m, n, ldb, offB);
  for (let i = 0; i < na; i++) {
    if (diag === 'N' && a[offA + i * lda + i] === 0) {
      throw new CalderaError('SINGULAR_MATRIX', `${routine}: a[${i}, ${i}] is 0`, {
        details: { index: i },
      });
    }
  }
}

/**
 * Single-precision triangular solve `op(A)·X = α·B` (side `'L'`) or `X·op(A) = α·B` (side
 * `'R'`); B (m×n) is overwritten with X.
 *
 * @param side - `'L'` or `'R'`
 * @param uplo - which triangle of A is stored (`'L'` or `'U'`)
 * @param trans - `'N'` or `'T'` (op(A) = A or Aᵀ)
 * @param diag - `'U'` for an implicit unit diagonal, `'N'` otherwise
 * @param m - rows of B
 * @param n - columns of B
 * @param alpha - scale of B
 * @param a - storage of A (m×m for side L, n×n for side R)
 * @param lda - leading dimension of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offA - offset of A (default 0)
 * @param offB - offset of B (default 0)
 * @throws CalderaError `SHAPE_MISMATCH` for bad flags or views, `SINGULAR_MATRIX` for a zero
 *   diagonal entry, `NON_FINITE_INPUT` when B holds NaN/Inf
 * @example
 * ```ts
 * const l = new Float32Array([2, 0, 1, 1]); // [[2, 0], [1, 1]]
 * const b = new Float32Array([2, 3]); // column vector
 * strsm('L', 'L', 'N', 'N', 2, 1, 1, l, 2, b, 1); // b = [1, 2]
 * ```
 */
export function strsm(
  side: Side,
  uplo: Uplo,
  trans: Transpose,
  diag: Diag,
  m: number,
  n: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  offA = 0,
  offB = 0,
): void {
  checkTrsm('strsm', side, uplo, trans, diag, m, n, a, lda, offA, b, ldb, offB);
  scaleView(m, n, alpha, b, ldb, offB);
  trsmUnchecked(side, uplo, trans, diag, m, n, a, lda, offA, b, ldb, offB, gemmFor(b));
}

/**
 * Double-precision triangular solve (same contract as {@link strsm} on `Float64Array`s).
 *
 * @param side - `'L'` or `'R'`
 * @param uplo - stored triangle of A
 * @param trans - op of A
 * @param diag - unit or stored diagonal
 * @param m - rows of B
 * @param n - columns of B
 * @param alpha - scale of B
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param b - storage of B (overwritten by X)
 * @param ldb - leading dimension of B
 * @param offA - offset of A
 * @param offB - offset of B
 * @throws CalderaError `SHAPE_MISMATCH`, `SINGULAR_MATRIX`, `NON_FINITE_INPUT`
 * @example
 * ```ts
 * const u = new Float64Array([2, 1, 0, 1]); // [[2, 1], [0, 1]]
 * const b = new Float64Array([4, 5]); // row vector x·U = b
 * dtrsm('R', 'U', 'N', 'N', 1, 2, 1, u, 2, b, 2); // b = [2, 3]
 * ```
 */
export function dtrsm(
  side: Side,
  uplo: Uplo,
  trans: Transpose,
  diag: Diag,
  m: number,
  n: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  offA = 0,
  offB = 0,
): void {
  checkTrsm('dtrsm', side, uplo, trans, diag, m, n, a, lda, offA, b, ldb, offB);
  scaleView(m, n, alpha, b, ldb, offB);
  trsmUnchecked(side, uplo, trans, diag, m, n, a, lda, offA, b, ldb, offB, gemmFor(b));
}
