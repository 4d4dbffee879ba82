/**
 * The rank-one update eigenproblem at the heart of divide and conquer (Cuppen 1981;
 * Gu–Eisenstat 1995): eigenpairs of D + ρ·z·zᵀ with D = diag(d) strictly ascending, ρ > 0,
 * every zᵢ ≠ 0. The eigenvalues are the roots of the secular equation
 * f(λ) = 1 + ρ Σᵢ zᵢ²/(dᵢ − λ), one in each (dᵢ, dᵢ₊₁) and the last in (d_{K−1}, d_{K−1} + ρ‖z‖²].
 * Each root is stored as (origin pole, offset τ) so that differences λⱼ − dᵢ are formed without
 * cancellation; z is then recomputed from the roots (Löwner formula), which makes the
 * eigenvectors uᵢ ∝ ẑ/(d − λᵢ) numerically orthogonal.
 */

const EPS = 2 ** -52;

/**
 * Solves the secular equation and returns the eigenvalues and eigenvectors of D + ρzzᵀ.
 *
 * @param d - strictly ascending poles, length K
 * @param z - weights, length K, non-zero
 * @param rho - ρ > 0
 * @param lambda - output eigenvalues (ascending), length K
 * @param u - output K×K row-major, column j = unit eigenvector for lambda[j]
 * @example
 * ```ts
 * secularEigen(new Float64Array([0, 1]), new Float64Array([0.6, 0.8]), 1, lam, u);
 * ```
 */
export function secularEigen(
  d: Float64Array,
  z: Float64Array,
  rho: number,
  lambda: Float64Array,
  u: Float64Array,
): void {
  const k = d.length;
  const origin = new Int32Array(k);
  const tau = new Float64Array(k);
  let zz = 0;
  for (let i = 0; i < k; i++) zz += z[i]! * z[i]!;
  const delta = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const last = i === k - 1;
    const gap = last ? rho * zz : d[i + 1]! - d[i]!;
    // decide which pole is closer by the sign of f at the midpoint (relative to d_i)
    let org = i;
    let lo = 0;
    let hi = gap;
    if (!last) {
      const mid = gap / 2;
      let f = 1;
      for (let j = 0; j < k; j++) f += (rho * z[j]! * z[j]!) / (d[j]! - d[i]! - mid);
      if (f < 0) {
        org = i + 1;
        lo = -mid;
        hi = 0;
      } else {
        hi = mid;
      }
    }
    const d0 = d[org]!;
    for (let j = 0; j < k; j++) delta[j] = d[j]! - d0;
    // safeguarded Newton on f(τ) = 1 + ρ Σ z²/(δ − τ), increasing in τ on (lo, hi)
    let t = (lo + hi) / 2;
    for (let iter = 0; iter < 200; iter++) {
      let f = 1;
      let df = 0;
      for (let j = 0; j < k; j++) {
        const r = 1 / (delta[j]! - t);
        const w = rho * z[j]! * z[j]! * r;
        f += w;
        df += w * r;
      }
      if (f > 0) hi = t;
      else if (f < 0) lo = t;
      else break;
      let next = t - f / df;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
      if (
        Math.abs(next - t) <= 4 * EPS * Math.abs(next) ||
        hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))
      ) {
        t = next;
        break;
      }
      t = next;
    }
    origin[i] = org;
    tau[i] = t;
    lambda[i] = d0 + t;
  }
  // Löwner: ẑᵢ² = (λᵢ − dᵢ)/ρ · Π_{j≠i} (λⱼ − dᵢ)/(dⱼ − dᵢ); λⱼ − dᵢ = (d_{org j} − dᵢ) + τⱼ
  const zh = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const di = d[i]!;
    let p = (d[origin[i]!]! - di + tau[i]!) / rho;
    for (let j = 0; j < k; j++) {
      if (j === i) continue;
      p *= (d[origin[j]!]! - di + tau[j]!) / (d[j]! - di);
    }
    zh[i] = Math.sqrt(Math.max(p, 0)) * (z[i]! >= 0 ? 1 : -1);
  }
  for (let j = 0; j < k; j++) {
    let s = 0;
    const o = d[origin[j]!]!;
    for (let i = 0; i < k; i++) {
      const diff = d[i]! - o - tau[j]!; // dᵢ − λⱼ
      const v = zh[i]! / diff;
      u[i * k + j] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < k; i++) u[i * k + j] = u[i * k + j]! * inv;
  }
}
