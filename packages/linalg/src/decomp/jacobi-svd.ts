/**
 * One-sided (Hestenes) Jacobi orthogonalisation, the core of the exact SVD. Given q vectors
 * g₀…g_{q−1} (the rows of G, i.e. the columns of the matrix being decomposed), plane rotations
 * are applied to pairs (i, j) until every pair is orthogonal to working precision,
 * |gᵢ·gⱼ| ≤ √len·ε·‖gᵢ‖‖gⱼ‖. Then G = Σ·Uᵀ-rows and the accumulated rotations are V. One-sided
 * Jacobi computes small singular values to high relative accuracy (Demmel–Veselić), which the
 * Gram-matrix route cannot. Cost per sweep ≈ 3q²(len + q) flops; 5–10 sweeps are typical.
 */
import { CalderaError } from '@caldera/core';

const MAX_SWEEPS = 60;

/**
 * Orthogonalises the rows of G in place with plane rotations, applying the same rotations to the
 * rows of Vt (so that with Vt = I on entry, G_out = Vtᵀ-rotated G_in, i.e. X·V = X' column-wise).
 *
 * @param g - q×len row-major float64 (rows = columns of X), overwritten with X·V's columns
 * @param q - number of vectors
 * @param len - vector length
 * @param vt - q×q row-major float64, rotated along (rows = columns of V)
 * @returns the number of sweeps used
 * @throws CalderaError `NO_CONVERGENCE` after 60 sweeps
 * @example
 * ```ts
 * const g = new Float64Array([1, 1, 0, 1]); // columns of X = [[1, 0], [1, 1]]
 * const vt = new Float64Array([1, 0, 0, 1]);
 * jacobiOrthogonalize(g, 2, 2, vt); // rows of g now orthogonal
 * ```
 */
export function jacobiOrthogonalize(
  g: Float64Array,
  q: number,
  len: number,
  vt: Float64Array,
): number {
  const norms = new Float64Array(q);
  // rounding in a length-len dot product is ~√len·ε relative: a stricter threshold could stall
  const tol = Math.sqrt(Math.max(len, 16)) * 2 ** -52;
  for (let sweep = 1; sweep <= MAX_SWEEPS; sweep++) {
    for (let i = 0; i < q; i++) {
      let s = 0;
      const o = i * len;
      for (let k = 0; k < len; k++) s += g[o + k]! * g[o + k]!;
      norms[i] = s;
    }
    let rotated = false;
    for (let i = 0; i < q - 1; i++) {
      const oi = i * len;
      for (let j = i + 1; j < q; j++) {
        const a = norms[i]!;
        const b = norms[j]!;
        if (a === 0 || b === 0) continue;
        const oj = j * len;
        let c = 0;
        for (let k = 0; k < len; k++) c += g[oi + k]! * g[oj + k]!;
        if (Math.abs(c) <= tol * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * c);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let k = 0; k < len; k++) {
          const x = g[oi + k]!;
          const y = g[oj + k]!;
          g[oi + k] = cs * x - sn * y;
          g[oj + k] = sn * x + cs * y;
        }
        const vi = i * q;
        const vj = j * q;
        for (let k = 0; k < q; k++) {
          const x = vt[vi + k]!;
          const y = vt[vj + k]!;
          vt[vi + k] = cs * x - sn * y;
          vt[vj + k] = sn * x + cs * y;
        }
        norms[i] = a - t * c;
        norms[j] = b + t * c;
      }
    }
    if (!rotated) return sweep;
  }
  throw new CalderaError(
    'NO_CONVERGENCE',
    `jacobiOrthogonalize: no convergence after ${MAX_SWEEPS} sweeps`,
    {
      details: { q, len },
    },
  );
}
