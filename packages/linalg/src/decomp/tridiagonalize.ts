/**
 * Householder reduction of a symmetric matrix to tridiagonal form, A = Q·T·Qᵀ (LAPACK `sytrd`,
 * lower storage, float64). Step k reflects column k below the subdiagonal with H_k = I − τvvᵀ;
 * the trailing block would get the symmetric rank-2 update S ← S − v·wᵀ − w·vᵀ with p = τ·S·v,
 * w = p − (τ/2)(pᵀv)·v. As in LAPACK's blocked `sytrd`/`latrd`, the updates of a panel of NB
 * columns are deferred: each step reads the stale trailing block once (lower triangle, row by
 * row) and corrects with the panel's V, W, and the panel's combined update
 * S ← S − V·Wᵀ − W·Vᵀ runs as two GEMMs. Q is formed afterwards with the blocked
 * {@link orgqrUnchecked}, since the reflectors are stored exactly as `geqrf` stores them for the
 * submatrix A[1:n, 0:n−1].
 */
import { gemmFor } from '../blas/trsm';
import { orgqrUnchecked } from './qr';

const NB = 32;

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
  const nb = NB;
  const vm = new Float64Array(n * nb); // V, row-major n×nb (rows = global rows)
  const wm = new Float64Array(n * nb); // W
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const cw = new Float64Array(nb);
  const cv = new Float64Array(nb);
  const last = n - 2; // columns 0…n−3 get reflectors
  for (let k0 = 0; k0 < last; k0 += nb) {
    const b = Math.min(nb, last - k0);
    vm.fill(0);
    wm.fill(0);
    for (let j = 0; j < b; j++) {
      const k = k0 + j;
      // 1. bring column k (rows k…n−1) up to date: a[:,k] −= V·W[k,:]ᵀ + W·V[k,:]ᵀ
      if (j > 0) {
        for (let i = k; i < n; i++) {
          let s = 0;
          const vi = i * nb;
          const kk = k * nb;
          for (let t = 0; t < j; t++) s += vm[vi + t]! * wm[kk + t]! + wm[vi + t]! * vm[kk + t]!;
          a[i * n + k] = a[i * n + k]! - s;
        }
      }
      d[k] = a[k * n + k]!;
      // 2. reflector for x = a[k+1:n, k]
      const r = n - k - 1;
      const x0 = (k + 1) * n + k;
      let scale = 0;
      for (let i = 1; i < r; i++) scale = Math.max(scale, Math.abs(a[x0 + i * n]!));
      let tk = 0;
      if (scale === 0) {
        e[k] = a[x0]!;
        for (let i = 0; i < r; i++) v[i] = 0;
      } else {
        let ss = 0;
        for (let i = 1; i < r; i++) {
          const t = a[x0 + i * n]! / scale;
          ss += t * t;
        }
        const alpha = a[x0]!;
        const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, scale * Math.sqrt(ss));
        tk = (beta - alpha) / beta;
        const inv = 1 / (alpha - beta);
        v[0] = 1;
        for (let i = 1; i < r; i++) {
          const vi = a[x0 + i * n]! * inv;
          a[x0 + i * n] = vi;
          v[i] = vi;
        }
        a[x0] = beta;
        e[k] = beta;
      }
      tau[k] = tk;
      if (tk === 0) continue; // V, W columns stay zero
      // 3. p = τ·(S − V Wᵀ − W Vᵀ)·v over the trailing block S = a[k+1:, k+1:] (lower triangle)
      const base = (k + 1) * n + (k + 1);
      p.fill(0, 0, r);
      let i = 0;
      for (; i + 1 < r; i += 2) {
        // two rows at a time: halves the load/store traffic on p
        const row0 = base + i * n;
        const row1 = row0 + n;
        const v0 = v[i]!;
        const v1 = v[i + 1]!;
        let acc0 = 0;
        let acc1 = 0;
        for (let jj = 0; jj < i; jj++) {
          const s0 = a[row0 + jj]!;
          const s1 = a[row1 + jj]!;
          const vj = v[jj]!;
          acc0 += s0 * vj;
          acc1 += s1 * vj;
          p[jj] = p[jj]! + s0 * v0 + s1 * v1;
        }
        const s10 = a[row1 + i]!;
        p[i] = p[i]! + acc0 + a[row0 + i]! * v0 + s10 * v1;
        p[i + 1] = p[i + 1]! + acc1 + s10 * v0 + a[row1 + i + 1]! * v1;
      }
      if (i < r) {
        const row = base + i * n;
        const vi = v[i]!;
        let acc = 0;
        for (let jj = 0; jj < i; jj++) {
          const sij = a[row + jj]!;
          acc += sij * v[jj]!;
          p[jj] = p[jj]! + sij * vi;
        }
        p[i] = p[i]! + acc + a[row + i]! * vi;
      }
      if (j > 0) {
        cw.fill(0);
        cv.fill(0);
        for (let i = 0; i < r; i++) {
          const gi = (k + 1 + i) * nb;
          const vi = v[i]!;
          for (let t = 0; t < j; t++) {
            cw[t] = cw[t]! + wm[gi + t]! * vi;
            cv[t] = cv[t]! + vm[gi + t]! * vi;
          }
        }
        for (let i = 0; i < r; i++) {
          const gi = (k + 1 + i) * nb;
          let s = 0;
          for (let t = 0; t < j; t++) s += vm[gi + t]! * cw[t]! + wm[gi + t]! * cv[t]!;
          p[i] = p[i]! - s;
        }
      }
      let pv = 0;
      for (let i = 0; i < r; i++) {
        p[i] = p[i]! * tk;
        pv += p[i]! * v[i]!;
      }
      const kk = 0.5 * tk * pv;
      for (let i = 0; i < r; i++) {
        const gi = (k + 1 + i) * nb + j;
        vm[gi] = v[i]!;
        wm[gi] = p[i]! - kk * v[i]!;
      }
    }
    // trailing update S ← S − V·Wᵀ − W·Vᵀ on rows/cols k0+b… (full square via GEMM)
    const s0 = k0 + b;
    const rs = n - s0;
    if (rs > 0) {
      const gemm = gemmFor(a);
      gemm('N', 'T', rs, rs, b, -1, vm, nb, s0 * nb, wm, nb, s0 * nb, 1, a, n, s0 * n + s0);
      gemm('N', 'T', rs, rs, b, -1, wm, nb, s0 * nb, vm, nb, s0 * nb, 1, a, n, s0 * n + s0);
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
