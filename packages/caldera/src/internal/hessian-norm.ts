/**
 * The data-aware squared error tr(Δ·H·Δᵀ) fast, for a fixed H measured many times (the error
 * trace of the CALDERA loop). With H = C·Cᵀ (lower Cholesky factor C, float64, once per H):
 *
 *   tr(Δ·H·Δᵀ) = ‖Δ·C‖²_F,
 *
 * a triangular product (half the multiply-adds of Δ·H) run as float32 `sgemm` by column blocks
 * of C, the squares summed in float64. Every term is a square, so nothing cancels and the
 * relative error stays at the float32 rounding of the products (~1e-6; measured in the tests),
 * against {@link hessianNorm2}, the float64 reference. Internal: not exported from the package.
 */
import { isCalderaError } from '@caldera/core';
import { dpotrf, sgemm } from '@caldera/linalg';
import { hessianNorm2, toF32 } from './dense';

/** Columns of C per `sgemm` (the product of a block is m × this, float32). */
const BLOCK = 256;

/**
 * H prepared for {@link hessianNorm2Fast}: Cᵀ in float32 (upper triangular, n×n row-major),
 * or null when H has no Cholesky factor (then the float64 reference is used).
 *
 * @example
 * ```ts
 * const plan: HessianNormPlan = planHessianNorm(h, n);
 * ```
 */
export interface HessianNormPlan {
  /** Order of H. */
  n: number;
  /** H itself (for the fallback). */
  h: Float64Array;
  /** Cᵀ (float32), or null. */
  ct: Float32Array | null;
}

/**
 * Factors H = C·Cᵀ once (float64 Cholesky, stored as float32 Cᵀ).
 *
 * @param h - H, n×n row-major, symmetric positive definite (lower triangle read)
 * @param n - order
 * @returns the plan (`ct` null when H is not positive definite)
 * @example
 * ```ts
 * const plan = planHessianNorm(new Float64Array([4, 0, 0, 1]), 2); // ct = [2, 0, 0, 1]
 * ```
 */
export function planHessianNorm(h: Float64Array, n: number): HessianNormPlan {
  const c = Float64Array.from(h.subarray(0, n * n));
  try {
    dpotrf(n, c);
  } catch (e) {
    if (isCalderaError(e, 'NOT_POSITIVE_DEFINITE')) return { n, h, ct: null };
    throw e;
  }
  const ct = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) ct[j * n + i] = c[i * n + j]!;
  return { n, h, ct };
}

/**
 * tr(Δ·H·Δᵀ) = ‖Δ·C‖²_F for Δ m×n (see the module comment); the float64 reference
 * {@link hessianNorm2} when the plan has no factor.
 *
 * @param plan - from {@link planHessianNorm}
 * @param d - Δ, m×n row-major
 * @param m - rows
 * @returns the trace (≥ 0)
 * @example
 * ```ts
 * const plan = planHessianNorm(new Float64Array([1, 0, 0, 1]), 2);
 * hessianNorm2Fast(plan, new Float64Array([1, 1]), 1); // 2
 * ```
 */
export function hessianNorm2Fast(plan: HessianNormPlan, d: Float64Array, m: number): number {
  const { n, ct } = plan;
  if (ct === null) return hessianNorm2(d, m, n, plan.h);
  if (m === 0 || n === 0) return 0;
  const d32 = toF32(d);
  const bw = Math.min(BLOCK, n);
  const out = new Float32Array(m * bw);
  let s = 0;
  for (let j0 = 0; j0 < n; j0 += bw) {
    const w = Math.min(bw, n - j0);
    // (Δ·C)[:, j0:j0+w] = Δ[:, j0:n] · C[j0:n, j0:j0+w] = Δ[:, j0:n] · (Cᵀ[j0:j0+w, j0:n])ᵀ
    sgemm('N', 'T', m, w, n - j0, 1, d32, n, ct, n, 0, out, w, j0, j0 * n + j0, 0);
    for (let i = 0; i < m * w; i++) {
      const v = out[i]!;
      s += v * v;
    }
  }
  return s;
}
