/**
 * Householder reduction of a symmetric matrix to tridiagonal form, A = Q·T·Qᵀ (LAPACK `sytrd`,
 * lower storage, float64). Step k reflects column k below the subdiagonal with H_k = I − τvvᵀ and
 * updates the trailing block by the symmetric rank-2 update S ← S − v·wᵀ − w·vᵀ with
 * p = τ·S·v, w = p − (τ/2)(pᵀv)·v; both the product and the update sweep only the lower
 * triangle, row by row (contiguous in row-major storage). Q is formed afterwards with the blocked
 * {@link orgqrUnchecked}, since the reflectors are stored exactly as `geqrf` stores them for the
 * submatrix A[1:n, 0:n−1].
 */
import { orgqrUnchecked } from './qr';

/**
 * Reduces the symmetric n×n float64 matrix `a` (lower triangle read; overwritten) to tridiagonal
 * form.
 *
 * @param a - n×n row-major float64, overwritten with the reflectors
 * @param n - order
 * @param d - output diagonal of T, length n
 * @param e - output subdiagonal of T, length n (e[i] couples i and i+1; e[n−1] = 0)
 * @param tau - output reflector scalars, length ≥ max(0, n−2)
 * @example
 * ```ts
 * tridiagonalize(a, n, d, e, tau);
 * ```
 */
export function tridiagonalize(
  a: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  tau: Float64Array,
): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const r = n - k - 1; // size of the trailing block
    const base = (k + 1) * n + (k + 1); // S[0][0]
    // Householder for x = A[k+1:n, k] (stride n)
    let scale = 0;
    for (let i = 1; i < r; i++) scale = Math.max(scale, Math.abs(a[base - 1 + i * n]!));
    if (scale === 0) {
      tau[k] = 0;
      e[k] = a[base - 1]!;
      d[k] = a[k * n + k]!;
      continue;
    }
    let ss = 0;
    for (let i = 1; i < r; i++) {
      const t = a[base - 1 + i * n]! / scale;
      ss += t * t;
    }
    const alpha = a[base - 1]!;
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, scale * Math.sqrt(ss));
    const tk = (beta - alpha) / beta;
    const inv = 1 / (alpha - beta);
    v[0] = 1;
    for (let i = 1; i < r; i++) {
      const vi = a[base - 1 + i * n]! * inv;
      a[base - 1 + i * n] = vi;
      v[i] = vi;
    }
    a[base - 1] = beta;
    tau[k] = tk;
    e[k] = beta;
    d[k] = a[k * n + k]!;
    // p = τ·S·v using the lower triangle only
    p.fill(0, 0, r);
    for (let i = 0; i < r; i++) {
      const row = base + i * n;
      const vi = v[i]!;
      let acc = 0;
      for (let j = 0; j < i; j++) {
        const sij = a[row + j]!;
        acc += sij * v[j]!;
        p[j] = p[j]! + sij * vi;
      }
      p[i] = p[i]! + acc + a[row + i]! * vi;
    }
    let pv = 0;
    for (let i = 0; i < r; i++) {
      p[i] = p[i]! * tk;
      pv += p[i]! * v[i]!;
    }
    const kk = 0.5 * tk * pv;
    for (let i = 0; i < r; i++) p[i] = p[i]! - kk * v[i]!; // p is now w
    for (let i = 0; i < r; i++) {
      const row = base + i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = 0; j <= i; j++) a[row + j] = a[row + j]! - vi * p[j]! - wi * v[j]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) {
    d[n - 1] = a[(n - 1) * n + n - 1]!;
    e[n - 1] = 0;
  }
}

/**
 * Forms the orthogonal Q (n×n, row-major) of {@link tridiagonalize}: Q = diag(1, H₀⋯H_{n−3}).
 *
 * @param a - the reflectors as left by tridiagonalize (not modified)
 * @param n - order
 * @param tau - the reflector scalars
 * @returns Q with A = Q·T·Qᵀ
 * @example
 * ```ts
 * const q = formTridiagonalQ(a, n, tau);
 * ```
 */
export function formTridiagonalQ(a: Float64Array, n: number, tau: Float64Array): Float64Array {
  const q = new Float64Array(n * n);
  if (n === 0) return q;
  q[0] = 1;
  if (n === 1) return q;
  if (n === 2) {
    q[3] = 1;
    return q;
  }
  orgqrUnchecked(a, n - 1, n - 1, n - 2, tau, n, n, q, n, n + 1);
  return q;
}
