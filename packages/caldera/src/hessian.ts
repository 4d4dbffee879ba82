/**
 * The Hessian H = E[x·xᵀ] as the solver uses it (algorithms.md §2), and the data-aware error.
 */
import { hessianNorm2 } from './internal/dense';

/**
 * Regularises a Hessian: H ← sym(H) / mean(diag H) + σ·I (float64 copy; the input is kept).
 *
 * @param h - H, n×n row-major (already validated: finite, symmetric, positive trace)
 * @param n - order
 * @param sigma - σ_reg (reference 0.01)
 * @returns the regularised copy
 * @example
 * ```ts
 * regularizeHessian(new Float64Array([4, 0, 0, 0]), 2, 0.01); // [2.01, 0, 0, 0.01]
 * ```
 */
export function regularizeHessian(h: ArrayLike<number>, n: number, sigma: number): Float64Array {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += h[i * n + i]!;
  const inv = n / tr;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (h[i * n + j]! + h[j * n + i]!) * inv;
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
    out[i * n + i]! += sigma;
  }
  return out;
}

/**
 * Relative data-aware error sqrt(tr(ΔHΔᵀ) / tr(WHWᵀ)) with Δ = Ŵ − W (algorithms.md §3);
 * with H = E[xxᵀ] this is the relative RMS error of the layer's outputs.
 *
 * @param w - W, m×n row-major
 * @param what - Ŵ, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n row-major (any scale: the ratio does not depend on it)
 * @returns the relative error (0 when W = Ŵ; Infinity when tr(WHWᵀ) = 0 and Ŵ ≠ W)
 * @example
 * ```ts
 * const h = new Float64Array([1, 0, 0, 1]);
 * relativeDataAwareError(new Float32Array([1, 0]), new Float32Array([0.5, 0]), 1, 2, h); // 0.5
 * ```
 */
export function relativeDataAwareError(
  w: ArrayLike<number>,
  what: ArrayLike<number>,
  m: number,
  n: number,
  h: ArrayLike<number>,
): number {
  const hh = h instanceof Float64Array ? h : Float64Array.from(h);
  const d = new Float64Array(m * n);
  const w64 = Float64Array.from(w);
  for (let i = 0; i < d.length; i++) d[i] = what[i]! - w64[i]!;
  const num = hessianNorm2(d, m, n, hh);
  const den = hessianNorm2(w64, m, n, hh);
  if (den === 0) return num === 0 ? 0 : Number.POSITIVE_INFINITY;
  return Math.sqrt(Math.max(0, num) / den);
}
