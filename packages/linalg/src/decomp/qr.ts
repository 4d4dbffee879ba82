/**
 * Blocked Householder QR (LAPACK `geqrf`/`orgqr` semantics, row-major). Panels of NB columns are
 * factored with level-2 reflections; the trailing matrix is updated with the compact WY block
 * reflector, so the bulk of the flops runs in the backend GEMM (`sgemm` for float32 storage,
 * `dgemm` for float64; scalar panel arithmetic is float64 either way). Works for m ≥ n and m < n;
 * a zero column gives τ = 0 (an identity reflector), so rank-deficient input never produces NaN.
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { applyBlockReflector, buildT, householder } from './householder';

const NB = 32;

const like = (x: FloatArray, n: number): FloatArray =>
  x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);

/** Copies reflectors j0…j0+b−1 (rows j0…m−1) into explicit V ((m−j0)×b, unit diagonal). */
function extractV(
  a: FloatArray,
  lda: number,
  off: number,
  m: number,
  j0: number,
  b: number,
  v: FloatArray,
): void {
  const rows = m - j0;
  v.fill(0, 0, rows * b);
  for (let r = 0; r < rows; r++) {
    const src = off + (j0 + r) * lda + j0;
    const hi = Math.min(b, r + 1);
    for (let c = 0; c < hi; c++) v[r * b + c] = c === r ? 1 : a[src + c]!;
  }
}

/**
 * Unchecked blocked QR of the m×n view (see {@link geqrf}).
 *
 * @param a - storage, overwritten with R (upper triangle) and the reflectors (below)
 * @param m - rows
 * @param n - columns
 * @param tau - output τs, length ≥ min(m, n)
 * @param lda - leading dimension
 * @param off - offset
 * @example
 * ```ts
 * geqrfUnchecked(a, m, n, tau, n, 0);
 * ```
 */
export function geqrfUnchecked(
  a: FloatArray,
  m: number,
  n: number,
  tau: FloatArray,
  lda: number,
  off: number,
): void {
  const k = Math.min(m, n);
  const v = like(a, m * NB);
  const w = like(a, NB * Math.max(1, n));
  const t = new Float64Array(NB * NB);
  const gram = new Float64Array(NB * NB);
  const pt = new Float64Array(NB * m);
  for (let j0 = 0; j0 < k; j0 += NB) {
    const b = Math.min(NB, k - j0);
    // panel: columns j0…j0+b−1, rows j0…m−1, factored in a transposed float64 copy so that
    // every column operation is a contiguous dot/axpy
    const rows = m - j0;
    for (let r = 0; r < rows; r++) {
      const src = off + (j0 + r) * lda + j0;
      for (let c = 0; c < b; c++) pt[c * rows + r] = a[src + c]!;
    }
    for (let c = 0; c < b; c++) {
      const pc = c * rows;
      const tj = householder(pt, pc + c, rows - c, 1);
      tau[j0 + c] = tj;
      if (tj === 0) continue;
      for (let c2 = c + 1; c2 < b; c2++) {
        const p2 = c2 * rows;
        let acc = pt[p2 + c]!;
        for (let r = c + 1; r < rows; r++) acc += pt[pc + r]! * pt[p2 + r]!;
        const f = tj * acc;
        pt[p2 + c] = pt[p2 + c]! - f;
        for (let r = c + 1; r < rows; r++) pt[p2 + r] = pt[p2 + r]! - f * pt[pc + r]!;
      }
    }
    for (let r = 0; r < rows; r++) {
      const dst = off + (j0 + r) * lda + j0;
      for (let c = 0; c < b; c++) a[dst + c] = pt[c * rows + r]!;
    }
    const cols = n - (j0 + b);
    if (cols > 0) {
      extractV(a, lda, off, m, j0, b, v);
      buildT(v, m - j0, b, tau, j0, t, gram);
      applyBlockReflector('T', v, t, m - j0, b, cols, a, lda, off + j0 * lda + j0 + b, w);
    }
  }
}

/**
 * Householder QR factorization A = Q·R in place (LAPACK `geqrf`, row-major): on return the upper
 * triangle (min(m,n)×n) holds R and the part below the diagonal holds the reflectors, whose
 * scalars go to `tau`. Form Q with {@link orgqr}.
 *
 * @param a - the m×n matrix (float32 or float64), overwritten
 * @param m - rows
 * @param n - columns
 * @param tau - output, length ≥ min(m, n), same precision as a
 * @param lda - leading dimension, default n
 * @param off - offset of element (0, 0), default 0
 * @throws CalderaError `SHAPE_MISMATCH` for invalid dimensions or views; `NON_FINITE_INPUT` for
 *   NaN/Inf entries
 * @example
 * ```ts
 * const a = new Float64Array([3, 1, 4, 2]); // [[3, 1], [4, 2]]
 * const tau = new Float64Array(2);
 * geqrf(a, 2, 2, tau); // R = [[-5, -2.2], [0, -0.4]]
 * ```
 */
export function geqrf(
  a: FloatArray,
  m: number,
  n: number,
  tau: FloatArray,
  lda = n,
  off = 0,
): void {
  checkDim('geqrf', 'm', m);
  checkDim('geqrf', 'n', n);
  checkView('geqrf', 'a', a, m, n, lda, off);
  if (tau.length < Math.min(m, n)) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `geqrf: tau needs length ${Math.min(m, n)}, got ${describeValue(tau.length)}`,
    );
  }
  checkFinite('geqrf', 'a', a, m, n, lda, off);
  geqrfUnchecked(a, m, n, tau, lda, off);
}

/**
 * Unchecked {@link orgqr}: writes the first `ncols` columns of H₁⋯H_k into the m×ncols view q.
 *
 * @param a - reflectors as left by geqrf
 * @param m - rows
 * @param ncols - columns of Q to form (k ≤ ncols ≤ m)
 * @param k - number of reflectors
 * @param tau - τs
 * @param lda - leading dimension of a
 * @param offA - offset of a
 * @param q - output storage (same precision as a)
 * @param ldq - leading dimension of q
 * @param offQ - offset of q
 * @example
 * ```ts
 * orgqrUnchecked(a, m, n, n, tau, n, 0, q, n, 0);
 * ```
 */
export function orgqrUnchecked(
  a: FloatArray,
  m: number,
  ncols: number,
  k: number,
  tau: FloatArray,
  lda: number,
  offA: number,
  q: FloatArray,
  ldq: number,
  offQ: number,
): void {
  for (let i = 0; i < m; i++) {
    q.fill(0, offQ + i * ldq, offQ + i * ldq + ncols);
    if (i < ncols) q[offQ + i * ldq + i] = 1;
  }
  const v = like(q, m * NB);
  const w = like(q, NB * Math.max(1, ncols));
  const t = new Float64Array(NB * NB);
  const gram = new Float64Array(NB * NB);
  const last = Math.floor((k - 1) / NB) * NB;
  for (let j0 = last; j0 >= 0; j0 -= NB) {
    const b = Math.min(NB, k - j0);
    extractV(a, lda, offA, m, j0, b, v);
    buildT(v, m - j0, b, tau, j0, t, gram);
    applyBlockReflector('N', v, t, m - j0, b, ncols - j0, q, ldq, offQ + j0 * ldq + j0, w);
  }
}

/**
 * Forms the m×ncols matrix of the first `ncols` columns of Q = H₁⋯H_k from {@link geqrf} output
 * (LAPACK `orgqr`); with ncols = k = min(m, n) this is the thin Q.
 *
 * @param a - the reflectors (m×n view as left by geqrf; not modified)
 * @param m - rows
 * @param n - columns of the factored matrix
 * @param tau - the τs
 * @param ncols - columns of Q wanted, min(m,n) ≤ ncols ≤ m, default min(m, n)
 * @param lda - leading dimension of a, default n
 * @param off - offset of a, default 0
 * @returns Q, m×ncols row-major, same precision as a
 * @throws CalderaError `SHAPE_MISMATCH` for invalid arguments
 * @example
 * ```ts
 * geqrf(a, m, n, tau);
 * const q = orgqr(a, m, n, tau); // m×min(m,n), QᵀQ = I
 * ```
 */
export function orgqr(
  a: FloatArray,
  m: number,
  n: number,
  tau: FloatArray,
  ncols = Math.min(m, n),
  lda = n,
  off = 0,
): FloatArray {
  checkDim('orgqr', 'm', m);
  checkDim('orgqr', 'n', n);
  checkView('orgqr', 'a', a, m, n, lda, off);
  const k = Math.min(m, n);
  if (!Number.isInteger(ncols) || ncols < k || ncols > m || tau.length < k) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `orgqr: ncols must be in [${k}, ${m}] and tau of length ≥ ${k}, got ncols=${describeValue(ncols)}`,
    );
  }
  const q = like(a, m * ncols);
  orgqrUnchecked(a, m, ncols, k, tau, lda, off, q, ncols, 0);
  return q;
}
