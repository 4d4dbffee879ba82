/**
 * Argument validation shared by the public kernels. Kernels validate once at their entry and then
 * run unchecked loops; hot inner routines never call these.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { FloatArray, Transpose } from './types';

/**
 * Throws `SHAPE_MISMATCH` unless `value` is a non-negative integer.
 *
 * @param routine - the calling routine, for the message
 * @param name - the argument name
 * @param value - the value to check
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * checkDim('sgemm', 'm', 3); // ok
 * ```
 */
export function checkDim(routine: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: ${name} must be a non-negative integer, got ${describeValue(value)}`,
      { details: { [name]: value } },
    );
  }
}

/**
 * Throws `SHAPE_MISMATCH` unless a `rows × cols` row-major view with leading dimension `ld` and
 * offset `off` fits inside `arr`.
 *
 * @param routine - the calling routine
 * @param name - the operand name
 * @param arr - the storage
 * @param rows - stored rows
 * @param cols - stored columns
 * @param ld - leading dimension (row stride), at least `max(1, cols)`
 * @param off - offset of element (0, 0)
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * checkView('sgemm', 'a', new Float32Array(6), 2, 3, 3, 0); // ok
 * ```
 */
export function checkView(
  routine: string,
  name: string,
  arr: FloatArray,
  rows: number,
  cols: number,
  ld: number,
  off: number,
): void {
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: leading dimension of ${name} must be an integer >= max(1, ${cols}), got ${describeValue(ld)}`,
      { details: { ld, cols } },
    );
  }
  if (!Number.isInteger(off) || off < 0) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: offset of ${name} must be a non-negative integer, got ${describeValue(off)}`,
      { details: { off } },
    );
  }
  if (rows > 0 && cols > 0) {
    const need = off + (rows - 1) * ld + cols;
    if (need > arr.length) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `${routine}: ${name} needs ${need} elements for a ${rows}x${cols} view (ld ${ld}, offset ${off}) but has ${arr.length}`,
        { details: { rows, cols, ld, off, length: arr.length } },
      );
    }
  }
}

/**
 * Validates the arguments of a GEMM call `C ← α·op(A)·op(B) + β·C` (op(A) is m×k, op(B) k×n).
 *
 * @param routine - the calling routine
 * @param transA - op of A
 * @param transB - op of B
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const a = new Float32Array(6);
 * checkGemm('sgemm', 'N', 'N', 2, 2, 3, a, 3, 0, a, 2, 0, new Float32Array(4), 2, 0); // ok
 * ```
 */
export function checkGemm(
  routine: string,
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: FloatArray,
  ldb: number,
  offB: number,
  c: FloatArray,
  ldc: number,
  offC: number,
): void {
  checkTrans(routine, 'transA', transA);
  checkTrans(routine, 'transB', transB);
  checkDim(routine, 'm', m);
  checkDim(routine, 'n', n);
  checkDim(routine, 'k', k);
  if (transA === 'N') checkView(routine, 'a', a, m, k, lda, offA);
  else checkView(routine, 'a', a, k, m, lda, offA);
  if (transB === 'N') checkView(routine, 'b', b, k, n, ldb, offB);
  else checkView(routine, 'b', b, n, k, ldb, offB);
  checkView(routine, 'c', c, m, n, ldc, offC);
}

/**
 * Throws `SHAPE_MISMATCH` unless `t` is `'N'` or `'T'`.
 *
 * @param routine - the calling routine
 * @param name - the argument name
 * @param t - the value
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * checkTrans('sgemm', 'transA', 'N'); // ok
 * ```
 */
export function checkTrans(routine: string, name: string, t: string): void {
  if (t !== 'N' && t !== 'T') {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: ${name} must be 'N' or 'T', got ${describeValue(t)}`,
    );
  }
}

/**
 * Throws `NON_FINITE_INPUT` when a `rows × cols` view contains NaN or ±Infinity.
 *
 * @param routine - the calling routine
 * @param name - the operand name
 * @param arr - the storage
 * @param rows - rows of the view
 * @param cols - columns of the view
 * @param ld - leading dimension
 * @param off - offset
 * @throws CalderaError `NON_FINITE_INPUT` (details: row, col, value)
 * @example
 * ```ts
 * checkFinite('dpotrf', 'a', new Float64Array([1, 0, 0, 1]), 2, 2, 2, 0); // ok
 * ```
 */
export function checkFinite(
  routine: string,
  name: string,
  arr: FloatArray,
  rows: number,
  cols: number,
  ld: number,
  off: number,
): void {
  for (let i = 0; i < rows; i++) {
    const base = off + i * ld;
    let s = 0;
    for (let j = 0; j < cols; j++) s += arr[base + j]! * 0;
    if (s !== 0) {
      for (let j = 0; j < cols; j++) {
        const v = arr[base + j]!;
        if (!Number.isFinite(v)) {
          throw new CalderaError(
            'NON_FINITE_INPUT',
            `${routine}: ${name}[${i}, ${j}] is ${v}; inputs must be finite`,
            { details: { row: i, col: j, value: v } },
          );
        }
      }
    }
  }
}

/**
 * Throws `NON_FINITE_INPUT` when the lower triangle (diagonal included) of an n×n view contains
 * NaN or ±Infinity (the strictly upper triangle is not read).
 *
 * @param routine - the calling routine
 * @param name - the operand name
 * @param arr - the storage
 * @param n - order
 * @param ld - leading dimension
 * @param off - offset
 * @throws CalderaError `NON_FINITE_INPUT` (details: row, col, value)
 * @example
 * ```ts
 * checkFiniteLower('dpotrf', 'a', new Float64Array([1, Number.NaN, 0, 1]), 2, 2, 0); // ok: NaN is above the diagonal
 * ```
 */
export function checkFiniteLower(
  routine: string,
  name: string,
  arr: FloatArray,
  n: number,
  ld: number,
  off: number,
): void {
  for (let i = 0; i < n; i++) {
    const base = off + i * ld;
    for (let j = 0; j <= i; j++) {
      const v = arr[base + j]!;
      if (v - v !== 0) {
        throw new CalderaError(
          'NON_FINITE_INPUT',
          `${routine}: ${name}[${i}, ${j}] is ${v}; inputs must be finite`,
          { details: { row: i, col: j, value: v } },
        );
      }
    }
  }
}
