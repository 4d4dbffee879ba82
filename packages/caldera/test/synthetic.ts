/**
 * Synthetic per-matrix problems for the tests and the benchmark: planted low rank plus
 * heavy-tailed noise, and Hessians from correlated activations with a few dominant directions.
 */
import { Rng } from '@caldera/core';

/**
 * A test problem.
 *
 * @example
 * ```ts
 * const p: Problem = plantedProblem(64, 128, 4, 1);
 * ```
 */
export interface Problem {
  /** W, m×n. */
  w: Float32Array;
  /** H, n×n (float64). */
  h: Float64Array;
  /** Rows. */
  m: number;
  /** Columns. */
  n: number;
}

/**
 * W = U·diag(s)·Vᵀ (rank `plantedRank`, singular values 6…3 × noise level) + Student-t(3) noise;
 * H = XᵀX/N for N = 2n activations x = 0.3·z + Σ_{i<4} c_i·(6/(i+1))·d_i (d_i fixed random unit
 * directions, c_i, z standard normal) with an AR(1)-correlated base.
 *
 * @param m - rows
 * @param n - columns
 * @param plantedRank - rank of the planted part
 * @param seed - seed
 * @returns the problem
 * @example
 * ```ts
 * const { w, h } = plantedProblem(64, 128, 4, 1);
 * ```
 */
export function plantedProblem(m: number, n: number, plantedRank: number, seed: number): Problem {
  const rng = new Rng(seed);
  const w = new Float32Array(m * n);
  const scale = 1 / Math.sqrt(n);
  for (let t = 0; t < plantedRank; t++) {
    const u = new Float64Array(m).map(() => rng.nextGaussian());
    const v = new Float64Array(n).map(() => rng.nextGaussian());
    const s = (6 - (3 * t) / Math.max(1, plantedRank - 1)) * scale;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) w[i * n + j]! += s * u[i]! * v[j]! * scale * 4;
  }
  for (let i = 0; i < w.length; i++) {
    let chi = 0;
    for (let d = 0; d < 3; d++) chi += rng.nextGaussian() ** 2;
    w[i]! += (scale * rng.nextGaussian()) / Math.sqrt(chi / 3);
  }
  return { w, h: correlatedHessian(n, 2 * n, rng), m, n };
}

/**
 * H = XᵀX/N from correlated activations with 4 dominant directions (see {@link plantedProblem}).
 *
 * @param n - dimension
 * @param samples - N
 * @param rng - randomness
 * @returns H, n×n float64
 * @example
 * ```ts
 * const h = correlatedHessian(128, 256, new Rng(3));
 * ```
 */
export function correlatedHessian(n: number, samples: number, rng: Rng): Float64Array {
  const dirs: Float64Array[] = [];
  for (let i = 0; i < 4; i++) {
    const d = new Float64Array(n).map(() => rng.nextGaussian());
    const nr = Math.hypot(...d);
    dirs.push(d.map((x) => x / nr));
  }
  const h = new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    let prev = 0;
    for (let j = 0; j < n; j++) {
      prev = 0.7 * prev + 0.3 * rng.nextGaussian();
      x[j] = prev + 0.1 * rng.nextGaussian();
    }
    for (let i = 0; i < 4; i++) {
      const c = (6 / (i + 1)) * rng.nextGaussian();
      for (let j = 0; j < n; j++) x[j]! += c * dirs[i]![j]!;
    }
    for (let i = 0; i < n; i++) {
      const xi = x[i]! / samples;
      for (let j = 0; j <= i; j++) h[i * n + j]! += xi * x[j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) h[j * n + i] = h[i * n + j]!;
  return h;
}
