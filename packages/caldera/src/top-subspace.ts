/**
 * The dominant output subspace of a matrix in the data-aware norm: the top-k left singular
 * vectors of Y = A·S, where H = S·Sᵀ (any square root gives the same Y·Yᵀ = A·H·Aᵀ). This is
 * all the closed-form rank-k fit needs: with U_k those vectors, the optimal rank-k product is
 * L·R = U_k·(U_kᵀ·A) (algorithms.md §4.1: L = U_k, R = Σ_k·P_kᵀ·S⁻¹ = U_kᵀ·A).
 */
import type { Rng } from '@caldera/core';
import { dpotrf, orthonormalize, symmetricEigen } from '@caldera/linalg';
import { mul, transpose } from './internal/dense';

/**
 * Eigenpairs of a symmetric matrix in descending order (through `symmetricEigen` of
 * @caldera/linalg, which returns them ascending).
 *
 * @param g - the matrix, n×n row-major (lower triangle read)
 * @param n - order
 * @returns `values` descending and `vectors` (n×n, column j belongs to values[j])
 * @example
 * ```ts
 * symEig(new Float64Array([2, 1, 1, 2]), 2).values; // [3, 1]
 * ```
 */
export function symEig(
  g: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const e = symmetricEigen(g, n);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = n - 1 - j;
    values[j] = e.values[src]!;
    for (let i = 0; i < n; i++) vectors[i * n + j] = e.vectors[i * n + src]!;
  }
  return { values, vectors };
}

/**
 * How the top singular vectors are computed: `'exact'` (eigendecomposition of the smaller Gram
 * matrix) or `'randomized'` (range finder with oversampling min(2k, min(m, n)) and power
 * iterations, as torch's `svd_lowrank`).
 *
 * @example
 * ```ts
 * const mode: SvdMode = 'randomized';
 * ```
 */
export type SvdMode = 'exact' | 'randomized';

/**
 * The result of {@link topSubspace}.
 *
 * @example
 * ```ts
 * const t: TopSubspace = { u: new Float64Array(4), k: 1, values: new Float64Array([1]) };
 * ```
 */
export interface TopSubspace {
  /** U_k, m×k row-major, orthonormal columns (zero columns where the rank runs out). */
  u: Float64Array;
  /** k. */
  k: number;
  /**
   * Squared singular values σᵢ² of A·S in descending order: all min(m, n) of them in exact
   * mode, the oversampled estimates in randomized mode.
   */
  values: Float64Array;
}

/**
 * Top-k left singular vectors of A·S with S·Sᵀ = H (H = identity when `h` is null).
 *
 * @param a - A, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n symmetric positive definite, or null for the plain (weight-space) SVD
 * @param k - number of vectors, 1 ≤ k ≤ min(m, n)
 * @param mode - exact or randomized
 * @param rng - randomness for the randomized mode
 * @param powerIters - power iterations of the randomized mode (default 2)
 * @returns U_k and the squared singular values
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` (from Cholesky) when m > n, mode is exact and H is not SPD
 * @example
 * ```ts
 * const { u } = topSubspace(new Float64Array([3, 0, 0, 1]), 2, 2, null, 1, 'exact', new Rng(1));
 * // u ≈ ±[1, 0]
 * ```
 */
export function topSubspace(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array | null,
  k: number,
  mode: SvdMode,
  rng: Rng,
  powerIters = 2,
): TopSubspace {
  return mode === 'exact' ? exactTop(a, m, n, h, k) : randomizedTop(a, m, n, h, k, rng, powerIters);
}

function exactTop(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array | null,
  k: number,
): TopSubspace {
  if (m <= n) {
    const hat = h ? mul('N', 'T', n, m, n, h, a) : transpose(a, m, n); // H·Aᵀ, n×m
    const g = mul('N', 'N', m, m, n, a, hat);
    const { values, vectors } = symEig(g, m);
    const u = new Float64Array(m * k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) u[i * k + j] = vectors[i * m + j]!;
    for (let j = 0; j < values.length; j++) values[j] = Math.max(0, values[j]!);
    return { u, k, values };
  }
  // m > n: eigen of (A·S)ᵀ(A·S), n×n, then U = A·S·P / σ
  let y = a;
  if (h) {
    const s = Float64Array.from(h);
    dpotrf(n, s);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s[i * n + j] = 0;
    y = mul('N', 'N', m, n, n, a, s);
  }
  const g = mul('T', 'N', n, n, m, y, y);
  const { values, vectors } = symEig(g, n);
  const pk = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) pk[i * k + j] = vectors[i * n + j]!;
  const u = orthonormalize(mul('N', 'N', m, k, n, y, pk), m, k);
  for (let j = 0; j < values.length; j++) values[j] = Math.max(0, values[j]!);
  return { u, k, values };
}

function randomizedTop(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array | null,
  k: number,
  rng: Rng,
  powerIters: number,
): TopSubspace {
  const q = Math.max(k, Math.min(2 * k, Math.min(m, n)));
  const omega = new Float64Array(n * q);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.nextGaussian();
  const hw = h ? mul('N', 'N', n, q, n, h, omega) : omega;
  let z = orthonormalize(mul('N', 'N', m, q, n, a, hw), m, q);
  const applyG = (x: Float64Array): { atq: Float64Array; hatq: Float64Array } => {
    const atq = mul('T', 'N', n, q, m, a, x); // Aᵀ·Q, n×q
    const hatq = h ? mul('N', 'N', n, q, n, h, atq) : atq;
    return { atq, hatq };
  };
  for (let it = 0; it < powerIters; it++) {
    z = orthonormalize(mul('N', 'N', m, q, n, a, applyG(z).hatq), m, q);
  }
  const { atq, hatq } = applyG(z);
  const b = mul('T', 'N', q, q, n, atq, hatq); // Qᵀ·A·H·Aᵀ·Q
  const { values, vectors } = symEig(b, q);
  const vk = new Float64Array(q * k);
  for (let i = 0; i < q; i++) for (let j = 0; j < k; j++) vk[i * k + j] = vectors[i * q + j]!;
  const u = mul('N', 'N', m, k, q, z, vk);
  for (let j = 0; j < values.length; j++) values[j] = Math.max(0, values[j]!);
  return { u, k, values };
}
