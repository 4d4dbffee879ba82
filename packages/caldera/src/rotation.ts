/**
 * The two-sided randomized Hadamard transform of algorithms.md §3 for any m and n: each side
 * is padded with zeros to `hadamardPlan(d).paddedDim` when d has no K·2^j factorisation. The
 * padded block of H gets `padDiagonal`·I so that the rotated H stays positive definite; W's
 * padding is zero. The rotated objective then bounds the original one from above
 * (the cropped rows and columns of the error are dropped on output), and equals it when no
 * padding is needed.
 */
import type { Rng } from '@caldera/core';
import { hadamardPlan, rhtTwoSided, rhtTwoSidedInverse } from '@caldera/linalg';

/**
 * The rotation: sign vectors SV (left, length mp) and SU (right, length np) and the padded
 * dimensions. `enabled: false` is the identity (mp = m, np = n, empty signs).
 *
 * @example
 * ```ts
 * const rot = makeRotation(64, 172, true, new Rng(42)); // rot.np === 172 (K = 172)
 * ```
 */
export interface Rotation {
  /** Whether the RHT is applied. */
  enabled: boolean;
  /** Original rows. */
  m: number;
  /** Original columns. */
  n: number;
  /** Rows after padding. */
  mp: number;
  /** Columns after padding. */
  np: number;
  /** SV ∈ {±1}^mp. */
  signsLeft: Float32Array;
  /** SU ∈ {±1}^np. */
  signsRight: Float32Array;
}

/**
 * Plans a rotation and draws its signs (SU first, then SV, from `rng`).
 *
 * @param m - rows
 * @param n - columns
 * @param enabled - apply the RHT
 * @param rng - the random source
 * @returns the rotation
 * @example
 * ```ts
 * makeRotation(1000, 12, true, new Rng(1)).mp; // 1024
 * ```
 */
export function makeRotation(m: number, n: number, enabled: boolean, rng: Rng): Rotation {
  if (!enabled) {
    return {
      enabled,
      m,
      n,
      mp: m,
      np: n,
      signsLeft: new Float32Array(0),
      signsRight: new Float32Array(0),
    };
  }
  const np = hadamardPlan(n).paddedDim;
  const mp = hadamardPlan(m).paddedDim;
  const signsRight = rng.signs(np);
  const signsLeft = rng.signs(mp);
  return { enabled, m, n, mp, np, signsLeft, signsRight };
}

/**
 * W_r = Vᵀ·pad(W)·U (mp×np, float64).
 *
 * @param rot - the rotation
 * @param w - W, m×n row-major
 * @returns W_r
 * @example
 * ```ts
 * const wr = rotateWeights(rot, w);
 * ```
 */
export function rotateWeights(rot: Rotation, w: ArrayLike<number>): Float64Array {
  const { m, n, mp, np } = rot;
  const out = new Float64Array(mp * np);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * np + j] = w[i * n + j]!;
  if (rot.enabled) rhtTwoSided(out, mp, np, rot.signsLeft, rot.signsRight);
  return out;
}

/**
 * H_r = Uᵀ·pad(H)·U (np×np, float64); the padded diagonal block is `padDiagonal`·I.
 *
 * @param rot - the rotation
 * @param h - H, n×n row-major (regularised)
 * @param padDiagonal - diagonal value of the padded block (> 0)
 * @returns H_r
 * @example
 * ```ts
 * const hr = rotateHessian(rot, h, 0.01);
 * ```
 */
export function rotateHessian(rot: Rotation, h: Float64Array, padDiagonal: number): Float64Array {
  const { n, np } = rot;
  const out = new Float64Array(np * np);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * np + j] = h[i * n + j]!;
  for (let i = n; i < np; i++) out[i * np + i] = padDiagonal;
  if (rot.enabled) {
    rhtTwoSided(out, np, np, rot.signsRight, rot.signsRight);
    for (let i = 0; i < np; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (out[i * np + j]! + out[j * np + i]!);
        out[i * np + j] = v;
        out[j * np + i] = v;
      }
    }
  }
  return out;
}

/**
 * The inverse: W = crop(V·W_r·Uᵀ), scaled by `scale`, as float32 m×n.
 *
 * @param rot - the rotation
 * @param wr - W_r, mp×np row-major (not modified)
 * @param scale - global scale g multiplied in
 * @returns W in the original basis
 * @example
 * ```ts
 * const w = unrotateWeights(rot, wr, 1);
 * ```
 */
export function unrotateWeights(rot: Rotation, wr: Float64Array, scale: number): Float32Array {
  const { m, n, mp, np } = rot;
  const t = Float64Array.from(wr);
  if (rot.enabled) rhtTwoSidedInverse(t, mp, np, rot.signsLeft, rot.signsRight);
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = scale * t[i * np + j]!;
  return out;
}
