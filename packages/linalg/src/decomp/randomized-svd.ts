/**
 * Randomized truncated SVD (Halko–Martinsson–Tropp 2011, Alg. 4.4 with subspace iteration):
 * Y = A·Ω with a seeded Gaussian Ω (n×ℓ, ℓ = k + oversample), then `powerIters` rounds of
 * Z = orth(Aᵀ·Q), Q = orth(A·Z) (Householder re-orthonormalisation every half-step keeps the
 * basis accurate for slowly decaying spectra), then the small SVD of B = Qᵀ·A (ℓ×n) through the
 * float64 eigendecomposition of B·Bᵀ (ℓ×ℓ) and Vᵀ = Σ⁻¹·U_Bᵀ·B. The big products run in `sgemm`
 * on the active backend. The top-k values are accurate to about 1e-16·(σ₁/σ_k)² relative on top
 * of the sketching error; use {@link svd} when tiny singular values matter.
 */
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  Rng,
  throwIfAborted,
} from '@caldera/core';
import { dgemm, sgemm } from '../blas/gemm';
import { checkDim, checkFinite } from '../blas/validate';
import { orthonormalize } from './orthonormalize';
import { symmetricEigen } from './symmetric-eigen';

/** Options of {@link randomizedSvd}. */
export interface RandomizedSvdOptions extends LongRunningOptions {
  /** Extra sample columns beyond k (default 10). */
  oversample?: number;
  /** Subspace (power) iterations (default 2). */
  powerIters?: number;
  /** Seed of the Gaussian test matrix (default 0). */
  seed?: number;
}

/** Result of {@link randomizedSvd}. */
export interface RandomizedSvdResult {
  /** U, m×k row-major float32, orthonormal columns. */
  u: Float32Array;
  /** The k largest singular values (approximations), descending, float64. */
  s: Float64Array;
  /**
   * Vᵀ, k×n row-major float32, orthonormal rows (a row whose singular value is exactly 0, possible
   * only when rank(A) < k, is returned as zeros).
   */
  vt: Float32Array;
}

/**
 * Rank-k truncated SVD A ≈ U·diag(S)·Vᵀ of a float32 matrix by randomized subspace iteration.
 *
 * @param a - m×n row-major float32 (contiguous; not modified)
 * @param m - rows
 * @param n - columns
 * @param k - target rank, 1 ≤ k ≤ min(m, n)
 * @param options - `{ oversample = 10, powerIters = 2, seed = 0, signal, onProgress }`
 * @returns `{ u (m×k), s (k), vt (k×n) }`
 * @throws CalderaError `SHAPE_MISMATCH` for bad shapes or k; `NON_FINITE_INPUT` for NaN/Inf
 * @example
 * ```ts
 * const { u, s, vt } = randomizedSvd(w, 4096, 4096, 256, { seed: 42 });
 * ```
 */
export function randomizedSvd(
  a: Float32Array,
  m: number,
  n: number,
  k: number,
  options: RandomizedSvdOptions = {},
): RandomizedSvdResult {
  checkDim('randomizedSvd', 'm', m);
  checkDim('randomizedSvd', 'n', n);
  if (a.length < m * n) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `randomizedSvd: a has ${a.length} elements, needs ${m}×${n}`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m, n)) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `randomizedSvd: k must be an integer in [1, ${Math.min(m, n)}], got ${describeValue(k)}`,
      {
        details: { k, m, n },
      },
    );
  }
  const oversample = options.oversample ?? 10;
  const powerIters = options.powerIters ?? 2;
  if (
    !Number.isInteger(oversample) ||
    oversample < 0 ||
    !Number.isInteger(powerIters) ||
    powerIters < 0
  ) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `randomizedSvd: oversample and powerIters must be non-negative integers`,
      {
        details: { oversample, powerIters },
      },
    );
  }
  checkFinite('randomizedSvd', 'a', a, m, n, n, 0);
  const task = 'randomizedSvd';
  const total = 2 + 2 * powerIters;
  let step = 0;
  const tick = () => {
    throwIfAborted(options.signal);
    options.onProgress?.({ type: 'progress', task, current: ++step, total, unit: 'products' });
  };
  options.onProgress?.({ type: 'start', task, total, unit: 'products' });
  const l = Math.min(k + oversample, Math.min(m, n));
  const omega = new Rng(options.seed ?? 0).fillGaussian(new Float32Array(n * l));
  const y = new Float32Array(m * l);
  sgemm('N', 'N', m, l, n, 1, a, n, omega, l, 0, y, l);
  let q = orthonormalize(y, m, l);
  tick();
  const z = omega; // reuse: n×l
  for (let it = 0; it < powerIters; it++) {
    sgemm('T', 'N', n, l, m, 1, a, n, q, l, 0, z, l);
    const zq = orthonormalize(z, n, l);
    tick();
    sgemm('N', 'N', m, l, n, 1, a, n, zq, l, 0, y, l);
    q = orthonormalize(y, m, l);
    tick();
  }
  const b = new Float32Array(l * n);
  sgemm('T', 'N', l, n, m, 1, q, l, a, n, 0, b, n);
  // small problem: B·Bᵀ = U_B·Σ²·U_Bᵀ in float64 (ℓ×ℓ), then Vᵀ = Σ⁻¹·U_Bᵀ·B
  const b64 = Float64Array.from(b);
  const gram = new Float64Array(l * l);
  dgemm('N', 'T', l, l, n, 1, b64, n, b64, n, 0, gram, l);
  const { values, vectors } = symmetricEigen(gram, l, { signal: options.signal });
  const s = new Float64Array(k);
  const ub = new Float64Array(l * k);
  for (let j = 0; j < k; j++) {
    const src = l - 1 - j; // descending
    s[j] = Math.sqrt(Math.max(values[src]!, 0));
    for (let i = 0; i < l; i++) ub[i * k + j] = vectors[i * l + src]!;
  }
  const w = new Float64Array(k * n);
  dgemm('T', 'N', k, n, l, 1, ub, k, b64, n, 0, w, n);
  const vt = new Float32Array(k * n);
  for (let j = 0; j < k; j++) {
    let nrm = 0;
    for (let t = 0; t < n; t++) nrm += w[j * n + t]! * w[j * n + t]!;
    const inv = nrm > 0 ? 1 / Math.sqrt(nrm) : 0;
    for (let t = 0; t < n; t++) vt[j * n + t] = w[j * n + t]! * inv;
  }
  const u = new Float32Array(m * k);
  sgemm('N', 'N', m, k, l, 1, q, l, Float32Array.from(ub), k, 0, u, k);
  tick();
  options.onProgress?.({ type: 'done', task });
  return { u, s, vt };
}
