/**
 * Matrix–vector product (BLAS `gemv`): `y ← α·op(A)·x + β·y` with A m×n row-major (op(A) is
 * m×n for `'N'`, n×m for `'T'`) and vectors with increments. Memory-bound, so plain loops with
 * float64 accumulation on every backend.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { FloatArray, Transpose } from './types';
import { checkDim, checkTrans, checkView } from './validate';

function checkVec(
  routine: string,
  name: string,
  v: FloatArray,
  len: number,
  inc: number,
  off: number,
): void {
  if (!Number.isInteger(inc) || inc < 1 || !Number.isInteger(off) || off < 0) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: ${name} needs a positive integer increment and non-negative offset, got inc ${describeValue(inc)}, offset ${describeValue(off)}`,
    );
  }
  if (len > 0 && off + (len - 1) * inc >= v.length) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: ${name} has ${v.length} elements, needs ${off + (len - 1) * inc + 1}`,
      { details: { len, inc, off } },
    );
  }
}

function gemv(
  routine: string,
  trans: Transpose,
  m: number,
  n: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  x: FloatArray,
  incx: number,
  beta: number,
  y: FloatArray,
  incy: number,
  offA: number,
  offX: number,
  offY: number,
): void {
  checkTrans(routine, 'trans', trans);
  checkDim(routine, 'm', m);
  checkDim(routine, 'n', n);
  checkView(routine, 'a', a, m, n, lda, offA);
  const lenX = trans === 'N' ? n : m;
  const lenY = trans === 'N' ? m : n;
  checkVec(routine, 'x', x, lenX, incx, offX);
  checkVec(routine, 'y', y, lenY, incy, offY);
  for (let i = 0; i < lenY; i++) {
    const yi = offY + i * incy;
    y[yi] = beta === 0 ? 0 : beta * y[yi]!;
  }
  if (alpha === 0) return;
  if (trans === 'N') {
    for (let i = 0; i < m; i++) {
      const ai = offA + i * lda;
      let s = 0;
      if (incx === 1) for (let j = 0; j < n; j++) s += a[ai + j]! * x[offX + j]!;
      else for (let j = 0; j < n; j++) s += a[ai + j]! * x[offX + j * incx]!;
      y[offY + i * incy]! += alpha * s;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ai = offA + i * lda;
      const xi = alpha * x[offX + i * incx]!;
      if (xi === 0) continue;
      if (incy === 1) for (let j = 0; j < n; j++) y[offY + j]! += xi * a[ai + j]!;
      else for (let j = 0; j < n; j++) y[offY + j * incy]! += xi * a[ai + j]!;
    }
  }
}

/**
 * Single-precision `y ← α·op(A)·x + β·y`.
 *
 * @param trans - `'N'`: y (length m) ← α·A·x (x length n); `'T'`: y (length n) ← α·Aᵀ·x
 * @param m - rows of A
 * @param n - columns of A
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param x - input vector
 * @param incx - increment of x
 * @param beta - scale of y on entry (0: y not read)
 * @param y - output vector
 * @param incy - increment of y
 * @param offA - offset of A (default 0)
 * @param offX - offset of x (default 0)
 * @param offY - offset of y (default 0)
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const y = new Float32Array(2);
 * sgemv('N', 2, 2, 1, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([1, 1]), 1, 0, y, 1); // y = [3, 7]
 * ```
 */
export function sgemv(
  trans: Transpose,
  m: number,
  n: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  x: Float32Array,
  incx: number,
  beta: number,
  y: Float32Array,
  incy: number,
  offA = 0,
  offX = 0,
  offY = 0,
): void {
  gemv('sgemv', trans, m, n, alpha, a, lda, x, incx, beta, y, incy, offA, offX, offY);
}

/**
 * Double-precision `y ← α·op(A)·x + β·y` (see {@link sgemv}).
 *
 * @param trans - op of A
 * @param m - rows of A
 * @param n - columns of A
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param x - input vector
 * @param incx - increment of x
 * @param beta - scale of y on entry
 * @param y - output vector
 * @param incy - increment of y
 * @param offA - offset of A
 * @param offX - offset of x
 * @param offY - offset of y
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const y = new Float64Array(2);
 * dgemv('T', 2, 2, 1, new Float64Array([1, 2, 3, 4]), 2, new Float64Array([1, 1]), 1, 0, y, 1); // y = [4, 6]
 * ```
 */
export function dgemv(
  trans: Transpose,
  m: number,
  n: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  x: Float64Array,
  incx: number,
  beta: number,
  y: Float64Array,
  incy: number,
  offA = 0,
  offX = 0,
  offY = 0,
): void {
  gemv('dgemv', trans, m, n, alpha, a, lda, x, incx, beta, y, incy, offA, offX, offY);
}
