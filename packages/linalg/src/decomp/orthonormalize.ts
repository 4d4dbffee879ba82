/**
 * Thin QR conveniences on top of {@link geqrf}/{@link orgqr}.
 */
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { geqrfUnchecked, orgqrUnchecked } from './qr';

/** Result of {@link qr}. */
export interface QrResult<T extends FloatArray> {
  /** Q, m×k row-major with orthonormal columns (k = min(m, n)). */
  q: T;
  /** R, k×n upper triangular (trapezoidal when n > m), row-major. */
  r: T;
  /** k = min(m, n). */
  k: number;
}

function prepare<T extends FloatArray>(
  routine: string,
  a: T,
  m: number,
  n: number,
  lda: number,
  off: number,
): T {
  checkDim(routine, 'm', m);
  checkDim(routine, 'n', n);
  checkView(routine, 'a', a, m, n, lda, off);
  checkFinite(routine, 'a', a, m, n, lda, off);
  const w = (a instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n)) as T;
  for (let i = 0; i < m; i++) w.set(a.subarray(off + i * lda, off + i * lda + n), i * n);
  return w;
}

/**
 * Thin QR factorization A = Q·R (A is not modified).
 *
 * @param a - the m×n matrix, row-major (float32 or float64)
 * @param m - rows
 * @param n - columns
 * @param lda - leading dimension, default n
 * @param off - offset, default 0
 * @returns `{ q (m×k), r (k×n), k }` with k = min(m, n), in a's precision
 * @throws CalderaError `SHAPE_MISMATCH` for bad shapes, `NON_FINITE_INPUT` for NaN/Inf
 * @example
 * ```ts
 * const { q, r } = qr(new Float64Array([3, 4]), 2, 1); // q = [-0.6, -0.8], r = [-5]
 * ```
 */
export function qr<T extends FloatArray>(
  a: T,
  m: number,
  n: number,
  lda = n,
  off = 0,
): QrResult<T> {
  const w = prepare('qr', a, m, n, lda, off);
  const k = Math.min(m, n);
  const tau = (a instanceof Float32Array ? new Float32Array(k) : new Float64Array(k)) as T;
  geqrfUnchecked(w, m, n, tau, n, 0);
  const r = (a instanceof Float32Array ? new Float32Array(k * n) : new Float64Array(k * n)) as T;
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) r[i * n + j] = w[i * n + j]!;
  const q = (a instanceof Float32Array ? new Float32Array(m * k) : new Float64Array(m * k)) as T;
  orgqrUnchecked(w, m, k, k, tau, n, 0, q, k, 0);
  return { q, r, k };
}

/**
 * Orthonormal basis of the column space of A by Householder QR: the thin Q (m×min(m,n)). Columns
 * of A that are linearly dependent still yield orthonormal (arbitrary) basis vectors, never NaN.
 *
 * @param a - the m×n matrix (not modified)
 * @param m - rows
 * @param n - columns
 * @param lda - leading dimension, default n
 * @param off - offset, default 0
 * @returns Q, m×min(m,n) row-major, same precision as a
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`
 * @example
 * ```ts
 * const q = orthonormalize(new Float32Array([1, 1, 1, 1]), 2, 2); // 2×2 orthogonal
 * ```
 */
export function orthonormalize<T extends FloatArray>(
  a: T,
  m: number,
  n: number,
  lda = n,
  off = 0,
): T {
  const w = prepare('orthonormalize', a, m, n, lda, off);
  const k = Math.min(m, n);
  const tau = (a instanceof Float32Array ? new Float32Array(k) : new Float64Array(k)) as T;
  geqrfUnchecked(w, m, n, tau, n, 0);
  const q = (a instanceof Float32Array ? new Float32Array(m * k) : new Float64Array(m * k)) as T;
  orgqrUnchecked(w, m, k, k, tau, n, 0, q, k, 0);
  return q;
}
