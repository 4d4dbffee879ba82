/**
 * Exact symmetric eigendecomposition A = V·diag(λ)·Vᵀ in float64: Householder tridiagonalisation,
 * then the tridiagonal eigenproblem by divide and conquer (or implicit QL with shifts), then
 * V = Q·Z with one GEMM. Intended for n up to a few thousand (O(n³) time, ~3 n² float64 of memory).
 */
import type { LongRunningOptions } from '@caldera/core';
import { throwIfAborted } from '@caldera/core';
import { gemmFor } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { tridiagonalDc } from './tridiagonal-dc';
import { tridiagonalQl } from './tridiagonal-ql';
import { formTridiagonalQ, tridiagonalize } from './tridiagonalize';

/** Result of {@link symmetricEigen}. */
export interface SymmetricEigenResult {
  /** Eigenvalues in ascending order, length n. */
  values: Float64Array;
  /**
   * Eigenvectors, n×n row-major: column j is the unit eigenvector for `values[j]` (as numpy's
   * `eigh`). Empty when `vectors: false` was requested.
   */
  vectors: Float64Array;
}

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions extends LongRunningOptions {
  /** Compute eigenvectors (default true); false costs O(n²) after the reduction. */
  vectors?: boolean;
  /**
   * Tridiagonal solver when vectors are wanted: `'dc'` divide and conquer (default; its O(n³)
   * part runs in GEMM) or `'ql'` implicit QL with accumulated rotations (the reference).
   */
  method?: 'dc' | 'ql';
}

/**
 * Eigendecomposition of a real symmetric matrix (only the lower triangle is read).
 *
 * @param a - n×n row-major matrix (float32 or float64; not modified)
 * @param n - order
 * @param options - `{ vectors = true, method = 'dc', signal, onProgress }`
 * @param lda - leading dimension, default n
 * @param off - offset, default 0
 * @returns `{ values (ascending), vectors (columns) }`
 * @throws CalderaError `SHAPE_MISMATCH` for bad shapes; `NON_FINITE_INPUT` for NaN/Inf;
 *   `NO_CONVERGENCE` if the QL iteration stalls (not observed in practice)
 * @example
 * ```ts
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * // values = [1, 3]; vectors columns ≈ [0.707, -0.707] and [0.707, 0.707] (up to sign)
 * ```
 */
export function symmetricEigen(
  a: FloatArray,
  n: number,
  options: SymmetricEigenOptions = {},
  lda = n,
  off = 0,
): SymmetricEigenResult {
  checkDim('symmetricEigen', 'n', n);
  checkView('symmetricEigen', 'a', a, n, n, lda, off);
  checkFinite('symmetricEigen', 'a', a, n, n, lda, off);
  const wantVectors = options.vectors ?? true;
  const task = 'symmetricEigen';
  options.onProgress?.({ type: 'start', task, total: 3, unit: 'stages' });
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = a[off + i * lda + j]!;
      w[i * n + j] = x;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(Math.max(1, n));
  tridiagonalize(w, n, d, e, tau);
  throwIfAborted(options.signal);
  options.onProgress?.({ type: 'progress', task, current: 1, total: 3, unit: 'stages' });
  let values: Float64Array;
  let vectors = new Float64Array(0);
  if (!wantVectors) {
    tridiagonalQl(d, e, n);
    values = Float64Array.from(d).sort();
  } else {
    let z: Float64Array; // n×n, column j = eigenvector of T
    if ((options.method ?? 'dc') === 'dc') {
      const r = tridiagonalDc(d, e);
      values = r.values;
      z = r.z;
    } else {
      const zt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) zt[i * n + i] = 1;
      tridiagonalQl(d, e, n, zt);
      const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x]! - d[y]!);
      values = Float64Array.from(order, (i) => d[i]!);
      z = new Float64Array(n * n);
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) z[i * n + j] = zt[order[j]! * n + i]!;
    }
    throwIfAborted(options.signal);
    options.onProgress?.({ type: 'progress', task, current: 2, total: 3, unit: 'stages' });
    const q = formTridiagonalQ(w, n, tau);
    vectors = new Float64Array(n * n);
    if (n > 0) gemmFor(q)('N', 'N', n, n, n, 1, q, n, 0, z, n, 0, 0, vectors, n, 0);
  }
  options.onProgress?.({ type: 'done', task });
  return { values, vectors };
}
