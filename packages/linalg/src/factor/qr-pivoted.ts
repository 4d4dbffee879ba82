/**
 * Householder QR with column pivoting (LAPACK `geqp3`-style, unblocked, float64), the
 * rank-revealing factorization behind the least-squares fallback and the pseudo-inverse:
 * `A·P = Q·R` with |R₀₀| ≥ |R₁₁| ≥ …; the numerical rank is the number of |Rₖₖ| above
 * `rcond·|R₀₀|`.
 *
 * Reflector k is `H_k = I − τ_k·v_k·v_kᵀ` with `v_k[k] = 1` and `v_k[i]` (i > k) stored below the
 * diagonal of column k; `Q = H_0·H_1·…`. Column norms are downdated after each step and
 * recomputed when cancellation makes the downdate unreliable.
 */

/**
 * The factorization, in place in `a` (m×n row-major): R on and above the diagonal, reflectors
 * below.
 *
 * @example
 * ```ts
 * const f: PivotedQr = { a: new Float64Array(1), m: 1, n: 1, tau: new Float64Array(1), perm: new Int32Array(1) };
 * ```
 */
export interface PivotedQr {
  /** R above, reflectors below the diagonal. */
  a: Float64Array;
  /** Rows. */
  m: number;
  /** Columns. */
  n: number;
  /** Reflector scales, length min(m, n). */
  tau: Float64Array;
  /** Column permutation: column j of A·P is column perm[j] of A. */
  perm: Int32Array;
}

/**
 * Householder QR of `a` (m×n, row-major, overwritten), with column pivoting when `pivot`.
 *
 * @param a - the matrix (overwritten)
 * @param m - rows
 * @param n - columns
 * @param pivot - choose the largest remaining column at each step
 * @returns the factorization
 * @example
 * ```ts
 * const f = qrPivoted(new Float64Array([3, 4]), 2, 1, true); // R₀₀ = −5
 * ```
 */
export function qrPivoted(a: Float64Array, m: number, n: number, pivot: boolean): PivotedQr {
  const kmax = Math.min(m, n);
  const tau = new Float64Array(kmax);
  const perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  const norms = new Float64Array(n);
  const ref = new Float64Array(n);
  const w = new Float64Array(n);
  const colNorm2 = (j: number, from: number) => {
    let s = 0;
    for (let i = from; i < m; i++) s += a[i * n + j]! ** 2;
    return s;
  };
  for (let j = 0; j < n; j++) {
    norms[j] = colNorm2(j, 0);
    ref[j] = norms[j]!;
  }
  for (let k = 0; k < kmax; k++) {
    if (pivot) {
      let best = k;
      for (let j = k + 1; j < n; j++) if (norms[j]! > norms[best]!) best = j;
      if (best !== k) {
        for (let i = 0; i < m; i++) {
          const t = a[i * n + k]!;
          a[i * n + k] = a[i * n + best]!;
          a[i * n + best] = t;
        }
        [perm[k], perm[best]] = [perm[best]!, perm[k]!];
        [norms[k], norms[best]] = [norms[best]!, norms[k]!];
        [ref[k], ref[best]] = [ref[best]!, ref[k]!];
      }
    }
    // reflector for a[k:m, k]
    const x0 = a[k * n + k]!;
    let sigma = 0;
    for (let i = k + 1; i < m; i++) sigma += a[i * n + k]! ** 2;
    if (sigma === 0) {
      tau[k] = 0;
    } else {
      const beta = -Math.sign(x0 || 1) * Math.sqrt(x0 * x0 + sigma);
      tau[k] = (beta - x0) / beta;
      const scale = 1 / (x0 - beta);
      for (let i = k + 1; i < m; i++) a[i * n + k]! *= scale;
      a[k * n + k] = beta;
      // apply to the trailing columns: w = vᵀ·A[k:m, k+1:n]; A -= τ·v·wᵀ
      const t = tau[k]!;
      for (let j = k + 1; j < n; j++) w[j] = a[k * n + j]!;
      for (let i = k + 1; i < m; i++) {
        const vi = a[i * n + k]!;
        if (vi === 0) continue;
        const row = i * n;
        for (let j = k + 1; j < n; j++) w[j]! += vi * a[row + j]!;
      }
      for (let j = k + 1; j < n; j++) a[k * n + j]! -= t * w[j]!;
      for (let i = k + 1; i < m; i++) {
        const vi = t * a[i * n + k]!;
        if (vi === 0) continue;
        const row = i * n;
        for (let j = k + 1; j < n; j++) a[row + j]! -= vi * w[j]!;
      }
    }
    if (pivot) {
      for (let j = k + 1; j < n; j++) {
        const updated = norms[j]! - a[k * n + j]! ** 2;
        norms[j] = updated > 1e-6 * ref[j]! ? updated : colNorm2(j, k + 1);
        if (updated <= 1e-6 * ref[j]!) ref[j] = norms[j]!;
      }
    }
  }
  return { a, m, n, tau, perm };
}

/**
 * Overwrites B (m×nrhs, row-major) with `Qᵀ·B`.
 *
 * @param f - the factorization
 * @param b - B, overwritten
 * @param nrhs - columns of B
 * @example
 * ```ts
 * applyQt(f, b, 1);
 * ```
 */
export function applyQt(f: PivotedQr, b: Float64Array, nrhs: number): void {
  const { a, m, n, tau } = f;
  const w = new Float64Array(nrhs);
  for (let k = 0; k < tau.length; k++) {
    const t = tau[k]!;
    if (t === 0) continue;
    for (let j = 0; j < nrhs; j++) w[j] = b[k * nrhs + j]!;
    for (let i = k + 1; i < m; i++) {
      const vi = a[i * n + k]!;
      for (let j = 0; j < nrhs; j++) w[j]! += vi * b[i * nrhs + j]!;
    }
    for (let j = 0; j < nrhs; j++) b[k * nrhs + j]! -= t * w[j]!;
    for (let i = k + 1; i < m; i++) {
      const vi = t * a[i * n + k]!;
      for (let j = 0; j < nrhs; j++) b[i * nrhs + j]! -= vi * w[j]!;
    }
  }
}

/**
 * Overwrites B (m×nrhs) with `Q·B` (reflectors applied in reverse order).
 *
 * @param f - the factorization
 * @param b - B, overwritten
 * @param nrhs - columns of B
 * @example
 * ```ts
 * applyQ(f, b, 1);
 * ```
 */
export function applyQ(f: PivotedQr, b: Float64Array, nrhs: number): void {
  const { a, m, n, tau } = f;
  const w = new Float64Array(nrhs);
  for (let k = tau.length - 1; k >= 0; k--) {
    const t = tau[k]!;
    if (t === 0) continue;
    for (let j = 0; j < nrhs; j++) w[j] = b[k * nrhs + j]!;
    for (let i = k + 1; i < m; i++) {
      const vi = a[i * n + k]!;
      for (let j = 0; j < nrhs; j++) w[j]! += vi * b[i * nrhs + j]!;
    }
    for (let j = 0; j < nrhs; j++) b[k * nrhs + j]! -= t * w[j]!;
    for (let i = k + 1; i < m; i++) {
      const vi = t * a[i * n + k]!;
      for (let j = 0; j < nrhs; j++) b[i * nrhs + j]! -= vi * w[j]!;
    }
  }
}
