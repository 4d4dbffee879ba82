/**
 * Exact thin SVD A = U·diag(S)·Vᵀ in float64 by QR-preconditioned one-sided Jacobi:
 * for m ≥ n, A = Q·R (blocked Householder), then Jacobi on the columns of R gives R = U_R·Σ·Vᵀ
 * and U = Q·U_R; for m < n the same is done on Aᵀ. Singular values come out with high relative
 * accuracy (small ones included), descending.
 *
 * Size limits: time grows like min(m,n)³ per Jacobi sweep (plus the QR), so this is meant for
 * min(m, n) up to about 512 (a few seconds); beyond that use {@link randomizedSvd} for a top-k or
 * {@link symmetricEigen} of the Gram matrix when relative accuracy of small values is not needed.
 */
import { type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { gemmFor } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { jacobiOrthogonalize } from './jacobi-svd';
import { geqrfUnchecked, orgqrUnchecked } from './qr';

/** Result of {@link svd}. */
export interface SvdResult {
  /** U, m×k row-major, orthonormal columns (k = min(m, n)). */
  u: Float64Array;
  /** Singular values, descending, length k. */
  s: Float64Array;
  /** Vᵀ, k×n row-major, orthonormal rows. */
  vt: Float64Array;
  /** k = min(m, n). */
  k: number;
}

/** Fills rows of `ut` (k×len) whose singular value is zero with unit vectors orthogonal to all others. */
function completeBasis(ut: Float64Array, k: number, len: number, zero: readonly boolean[]): void {
  const cand = new Float64Array(len);
  let next = 0;
  for (let i = 0; i < k; i++) {
    if (!zero[i]) continue;
    let best = -1;
    while (next < len) {
      cand.fill(0);
      cand[next++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < k; j++) {
          if (zero[j] && j >= i) continue;
          let dot = 0;
          for (let t = 0; t < len; t++) dot += cand[t]! * ut[j * len + t]!;
          for (let t = 0; t < len; t++) cand[t] = cand[t]! - dot * ut[j * len + t]!;
        }
      }
      let nrm = 0;
      for (let t = 0; t < len; t++) nrm += cand[t]! * cand[t]!;
      if (nrm > 0.25) {
        best = Math.sqrt(nrm);
        break;
      }
    }
    for (let t = 0; t < len; t++) ut[i * len + t] = best > 0 ? cand[t]! / best : 0;
  }
}

/** SVD of a p×q float64 matrix with p ≥ q (x is destroyed). */
function svdTall(x: Float64Array, p: number, q: number, signal?: AbortSignal): SvdResult {
  let qmat: Float64Array | null = null;
  let w = x;
  if (p > q) {
    const tau = new Float64Array(q);
    geqrfUnchecked(x, p, q, tau, q, 0);
    w = new Float64Array(q * q);
    for (let i = 0; i < q; i++) for (let j = i; j < q; j++) w[i * q + j] = x[i * q + j]!;
    qmat = new Float64Array(p * q);
    orgqrUnchecked(x, p, q, q, tau, q, 0, qmat, q, 0);
  }
  throwIfAborted(signal);
  // rows of g = columns of w
  const g = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) g[j * q + i] = w[i * q + j]!;
  const vtRaw = new Float64Array(q * q);
  for (let i = 0; i < q; i++) vtRaw[i * q + i] = 1;
  jacobiOrthogonalize(g, q, q, vtRaw);
  const sig = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let t = 0; t < q; t++) s += g[i * q + t]! * g[i * q + t]!;
    sig[i] = Math.sqrt(s);
  }
  const order = Array.from({ length: q }, (_, i) => i).sort((a, b) => sig[b]! - sig[a]!);
  const s = Float64Array.from(order, (i) => sig[i]!);
  const ut = new Float64Array(q * q);
  const vt = new Float64Array(q * q);
  const floor = (s[0] ?? 0) * q * 2 ** -52 * 1e-3;
  const zero: boolean[] = [];
  for (let r = 0; r < q; r++) {
    const i = order[r]!;
    vt.set(vtRaw.subarray(i * q, i * q + q), r * q);
    const isZero = !(sig[i]! > floor) || sig[i] === 0;
    zero.push(isZero);
    if (isZero) continue;
    const inv = 1 / sig[i]!;
    for (let t = 0; t < q; t++) ut[r * q + t] = g[i * q + t]! * inv;
  }
  if (zero.some((z) => z)) completeBasis(ut, q, q, zero);
  let u: Float64Array;
  if (qmat === null) {
    u = new Float64Array(q * q);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) u[i * q + j] = ut[j * q + i]!;
  } else {
    u = new Float64Array(p * q);
    gemmFor(u)('N', 'T', p, q, q, 1, qmat, q, 0, ut, q, 0, 0, u, q, 0);
  }
  return { u, s, vt, k: q };
}

/**
 * Exact thin singular value decomposition A = U·diag(S)·Vᵀ (see the module notes for size limits).
 *
 * @param a - m×n row-major matrix (float32 or float64; not modified)
 * @param m - rows
 * @param n - columns
 * @param options - `{ signal }` to abort between stages
 * @param lda - leading dimension, default n
 * @param off - offset, default 0
 * @returns `{ u (m×k), s (k, descending), vt (k×n), k = min(m, n) }`, float64
 * @throws CalderaError `SHAPE_MISMATCH` for bad shapes; `NON_FINITE_INPUT` for NaN/Inf;
 *   `NO_CONVERGENCE` if Jacobi needs more than 60 sweeps
 * @example
 * ```ts
 * const { s } = svd(new Float64Array([3, 0, 0, -2]), 2, 2); // s = [3, 2]
 * ```
 */
export function svd(
  a: FloatArray,
  m: number,
  n: number,
  options: LongRunningOptions = {},
  lda = n,
  off = 0,
): SvdResult {
  checkDim('svd', 'm', m);
  checkDim('svd', 'n', n);
  checkView('svd', 'a', a, m, n, lda, off);
  checkFinite('svd', 'a', a, m, n, lda, off);
  if (m >= n) {
    const x = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[i * n + j] = a[off + i * lda + j]!;
    return svdTall(x, m, n, options.signal);
  }
  const x = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[j * m + i] = a[off + i * lda + j]!;
  const r = svdTall(x, n, m, options.signal);
  // Aᵀ = U'·S·V'ᵀ ⇒ A = V'·S·U'ᵀ: u = (vt')ᵀ (m×k), vt = (u')ᵀ (k×n)
  const k = m;
  const u = new Float64Array(m * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) u[j * k + i] = r.vt[i * m + j]!;
  const vt = new Float64Array(k * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) vt[j * n + i] = r.u[i * k + j]!;
  return { u, s: r.s, vt, k };
}
