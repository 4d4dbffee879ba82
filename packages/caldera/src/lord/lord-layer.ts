/**
 * One layer of LoRD (algorithms.md §13): W (m×n) ≈ L·R with L = U_k (m×k, orthonormal
 * columns) and R = U_kᵀ·W (k×n), where U is the basis of the chosen decomposition:
 *
 * - `'svd'`: left singular vectors of W (optimal in the Frobenius norm, data-blind);
 * - `'whitened'`: left singular vectors of W·H^{1/2} (optimal in the data-aware norm
 *   ‖(W − Ŵ)Xᵀ‖², H = E[x·xᵀ]; SVD-LLM's whitening / CALDERA's LR initialisation);
 * - `'pca'`: eigenvectors of the output second moment E[y·yᵀ] (LoRD / atomic feature
 *   mimicking). With no bias E[y·yᵀ] = W·H·Wᵀ, so this is the whitened basis computed by an
 *   m×m eigendecomposition instead of an SVD (same subspace up to ties and the ridge).
 *
 * Whatever the basis, R = U_kᵀ·W is the data-optimal right factor for a fixed orthonormal L,
 * and the absolute data-aware error of rank k is
 * e(k) = tr(P⊥·G·P⊥) = tr(G) − Σ_{i<k} u_iᵀ·G·u_i with G = W·H·Wᵀ: one m×m product gives the
 * whole error-versus-rank curve, which the rank allocator consumes.
 */
import { CalderaError, describeValue, Rng } from '@caldera/core';
import { regularizeHessian } from '../hessian';
import { mul } from '../internal/dense';
import { symEig, topSubspace } from '../top-subspace';

/**
 * The LoRD decompositions.
 *
 * @example
 * ```ts
 * const d: LordDecomposition = 'whitened';
 * ```
 */
export type LordDecomposition = 'svd' | 'whitened' | 'pca';

/**
 * Every {@link LordDecomposition}.
 *
 * @example
 * ```ts
 * LORD_DECOMPOSITIONS.includes('pca'); // true
 * ```
 */
export const LORD_DECOMPOSITIONS: readonly LordDecomposition[] = ['svd', 'whitened', 'pca'];

/**
 * A layer's LoRD basis and error-versus-rank curve.
 *
 * @example
 * ```ts
 * const a: LordLayerAnalysis = analyzeLordLayer('w', w, 64, 64, h, 'whitened');
 * a.errors[a.maxRank]; // error at the largest rank that still saves parameters
 * ```
 */
export interface LordLayerAnalysis {
  /** The weight's tensor name. */
  name: string;
  m: number;
  n: number;
  decomposition: LordDecomposition;
  /** W, m×n row-major. */
  weight: Float32Array;
  /** U, m×maxRank row-major (the first k columns are the rank-k basis). */
  basis: Float64Array;
  /** The largest k with k·(m+n) < m·n (0 when no rank saves parameters). */
  maxRank: number;
  /** errors[k] = tr(ΔHΔᵀ) at rank k, k = 0…maxRank (errors[0] = tr(W·H·Wᵀ)). */
  errors: Float64Array;
}

/**
 * The largest rank whose two factors hold fewer parameters than the dense m×n matrix.
 *
 * @param m - rows
 * @param n - columns
 * @returns max k with k·(m+n) < m·n, capped by min(m, n)
 * @example
 * ```ts
 * breakEvenRank(256, 256); // 127
 * ```
 */
export function breakEvenRank(m: number, n: number): number {
  return Math.min(m, n, Math.floor((m * n - 1) / (m + n)));
}

function checkDecomposition(d: unknown): LordDecomposition {
  if (!LORD_DECOMPOSITIONS.includes(d as LordDecomposition)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `LoRD decomposition must be one of ${LORD_DECOMPOSITIONS.join(', ')}, got ${describeValue(d)}`,
    );
  }
  return d as LordDecomposition;
}

/**
 * Computes a layer's basis and its error-versus-rank curve.
 *
 * @param name - the tensor name (for reports)
 * @param w - W, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H = E[x·xᵀ] (n×n) of the layer's input
 * @param decomposition - `'svd'`, `'whitened'` or `'pca'`
 * @param sigmaReg - ridge of the whitened SVD, relative to mean(diag H) (default 1e-6)
 * @returns the analysis
 * @throws CalderaError `INVALID_OPTIONS` for an unknown decomposition, `SHAPE_MISMATCH` for
 *   wrong lengths, `NON_FINITE_INPUT` for NaN/Inf in W or H
 * @example
 * ```ts
 * const a = analyzeLordLayer('model.layers.0.mlp.up_proj.weight', w, 688, 256, h, 'whitened');
 * ```
 */
export function analyzeLordLayer(
  name: string,
  w: Float32Array,
  m: number,
  n: number,
  h: Float64Array,
  decomposition: LordDecomposition,
  sigmaReg = 1e-6,
): LordLayerAnalysis {
  checkDecomposition(decomposition);
  if (!(Number.isInteger(m) && Number.isInteger(n) && m > 0 && n > 0)) {
    throw new CalderaError('SHAPE_MISMATCH', `${name}: bad shape ${describeValue([m, n])}`);
  }
  if (w.length !== m * n || h.length !== n * n) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${name}: W has ${w.length} values (expected ${m * n}), H ${h.length} (expected ${n * n})`,
    );
  }
  for (const v of w) {
    if (!Number.isFinite(v)) throw new CalderaError('NON_FINITE_INPUT', `${name}: W is not finite`);
  }
  for (const v of h) {
    if (!Number.isFinite(v)) throw new CalderaError('NON_FINITE_INPUT', `${name}: H is not finite`);
  }
  const w64 = Float64Array.from(w);
  const g = mul('N', 'T', m, m, n, w64, mul('N', 'N', m, n, n, w64, h)); // W·H·Wᵀ
  const maxRank = breakEvenRank(m, n);
  let u: Float64Array;
  let ldu: number;
  if (decomposition === 'pca') {
    u = symEig(g, m).vectors;
    ldu = m;
  } else {
    const hh = decomposition === 'whitened' ? regularizeHessian(h, n, sigmaReg) : null;
    const kAll = Math.min(m, n);
    u = topSubspace(w64, m, n, hh, kAll, 'exact', new Rng(0)).u;
    ldu = kAll;
  }
  const basis = new Float64Array(m * maxRank);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < maxRank; j++) basis[i * maxRank + j] = u[i * ldu + j]!;
  }
  let trace = 0;
  for (let i = 0; i < m; i++) trace += g[i * m + i]!;
  const errors = new Float64Array(maxRank + 1);
  errors[0] = trace;
  const gu = new Float64Array(m);
  for (let j = 0; j < maxRank; j++) {
    // u_jᵀ G u_j
    gu.fill(0);
    for (let i = 0; i < m; i++) {
      const uij = basis[i * maxRank + j]!;
      if (uij === 0) continue;
      const row = i * m;
      for (let t = 0; t < m; t++) gu[t]! += g[row + t]! * uij;
    }
    let q = 0;
    for (let t = 0; t < m; t++) q += basis[t * maxRank + j]! * gu[t]!;
    errors[j + 1] = Math.max(0, errors[j]! - q);
  }
  return { name, m, n, decomposition, weight: w, basis, maxRank, errors };
}

/**
 * The rank-k factors of an analysed layer: L = U_k (m×k) and R = U_kᵀ·W (k×n), float32.
 *
 * @param a - the analysis
 * @param k - the rank, 1…maxRank
 * @returns L and R, row-major
 * @throws CalderaError `RANK_TOO_LARGE` outside 1…maxRank
 * @example
 * ```ts
 * const { l, r } = lordFactors(a, 16); // l: m×16, r: 16×n
 * ```
 */
export function lordFactors(a: LordLayerAnalysis, k: number): { l: Float32Array; r: Float32Array } {
  if (!(Number.isInteger(k) && k >= 1 && k <= a.maxRank)) {
    throw new CalderaError(
      'RANK_TOO_LARGE',
      `${a.name}: rank ${describeValue(k)} is outside 1…${a.maxRank}`,
    );
  }
  const { m, n, maxRank, basis, weight } = a;
  const l = new Float32Array(m * k);
  const r64 = new Float64Array(k * n);
  for (let i = 0; i < m; i++) {
    const wrow = i * n;
    for (let j = 0; j < k; j++) {
      const uij = basis[i * maxRank + j]!;
      l[i * k + j] = uij;
      if (uij === 0) continue;
      const rrow = j * n;
      for (let t = 0; t < n; t++) r64[rrow + t]! += uij * weight[wrow + t]!;
    }
  }
  return { l, r: Float32Array.from(r64) };
}
