/**
 * Linear least squares `min ‖A·X − B‖_F` (A m×n, B m×nrhs) and the Moore–Penrose pseudo-inverse,
 * in float64.
 *
 * - `normal` (m ≥ n, well conditioned): Cholesky of `AᵀA` (syrk) and two triangular solves.
 *   Its error grows like cond(A)², so it is used only when the Cholesky succeeds and the
 *   condition estimate `(max Lᵢᵢ / min Lᵢᵢ)²` of `AᵀA` stays below `normalCondLimit` (1e8).
 * - `qr` (fallback, rank-deficient or underdetermined): complete orthogonal decomposition.
 *   QR with column pivoting `A·P = Q·[R₁₁ R₁₂; 0 0]` (numerical rank r: |Rₖₖ| > rcond·|R₀₀|),
 *   then an unpivoted QR of `[R₁₁ R₁₂]ᵀ = Z·[T; 0]`, giving the minimum-norm solution
 *   `X = P·Z·[T⁻ᵀ·(QᵀB)₁:ᵣ; 0]`.
 */
import { CalderaError, describeValue, isCalderaError } from '@caldera/core';
import { syrkUnchecked } from '../blas/syrk';
import { gemmFor, trsmUnchecked } from '../blas/trsm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { svd } from '../decomp/svd';
import { dpotrf } from './cholesky';
import { applyQ, applyQt, qrPivoted } from './qr-pivoted';
import { choleskySolve } from './spd-solve';

/**
 * Options of {@link lstsq} and {@link pinv}.
 *
 * @example
 * ```ts
 * const o: LstsqOptions = { method: 'qr', rcond: 1e-10 };
 * ```
 */
export interface LstsqOptions {
  /** `'auto'` (default): normal equations, QR fallback; or force one method. */
  method?: 'auto' | 'normal' | 'qr';
  /** Relative threshold on |Rₖₖ|/|R₀₀| for the numerical rank (default `max(m, n)·2⁻⁵²`). */
  rcond?: number;
  /** Largest condition estimate of AᵀA accepted by the normal equations (default 1e8). */
  normalCondLimit?: number;
}

/**
 * The result of {@link lstsq}.
 *
 * @example
 * ```ts
 * const r: LstsqResult = { x: new Float64Array(1), method: 'normal', rank: 1 };
 * ```
 */
export interface LstsqResult {
  /** The solution X, n×nrhs row-major (minimum-norm when A is rank-deficient). */
  x: Float64Array;
  /** Which method produced X. */
  method: 'normal' | 'qr';
  /** Numerical rank (n for the normal equations). */
  rank: number;
}

function solveQr(
  a: FloatArray,
  m: number,
  n: number,
  b: Float64Array,
  nrhs: number,
  rcond: number,
): { x: Float64Array; rank: number } {
  const f = qrPivoted(Float64Array.from(a.subarray(0, m * n)), m, n, true);
  const kmax = Math.min(m, n);
  const r00 = kmax > 0 ? Math.abs(f.a[0]!) : 0;
  let rank = 0;
  while (rank < kmax && Math.abs(f.a[rank * n + rank]!) > rcond * r00) rank++;
  const c = b.slice();
  applyQt(f, c, nrhs);
  const y = new Float64Array(n * nrhs);
  const gemm = gemmFor(y);
  if (rank > 0) {
    if (rank === n) {
      y.set(c.subarray(0, n * nrhs));
      trsmUnchecked('L', 'U', 'N', 'N', n, nrhs, f.a, n, 0, y, nrhs, 0, gemm);
    } else {
      // Cᵀ = [R11 R12]ᵀ (n×rank) = Z·[T; 0]
      const ct = new Float64Array(n * rank);
      for (let i = 0; i < rank; i++) for (let j = i; j < n; j++) ct[j * rank + i] = f.a[i * n + j]!;
      const z = qrPivoted(ct, n, rank, false);
      y.set(c.subarray(0, rank * nrhs));
      trsmUnchecked('L', 'U', 'T', 'N', rank, nrhs, z.a, rank, 0, y, nrhs, 0, gemm);
      applyQ(z, y, nrhs);
    }
  }
  const x = new Float64Array(n * nrhs);
  for (let j = 0; j < n; j++) {
    x.set(y.subarray(j * nrhs, (j + 1) * nrhs), f.perm[j]! * nrhs);
  }
  return { x, rank };
}

function solveNormal(
  a: FloatArray,
  m: number,
  n: number,
  b: Float64Array,
  nrhs: number,
  condLimit: number,
): Float64Array | undefined {
  const ad = a instanceof Float64Array ? a : Float64Array.from(a.subarray(0, m * n));
  const g = new Float64Array(n * n);
  const gemm = gemmFor(g);
  syrkUnchecked('T', n, m, 1, ad, n, 0, 0, g, n, 0, gemm, false);
  try {
    dpotrf(n, g);
  } catch (e) {
    if (isCalderaError(e, 'NOT_POSITIVE_DEFINITE')) return undefined;
    throw e;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const d = g[i * n + i]!;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  if ((hi / lo) ** 2 > condLimit) return undefined;
  const x = new Float64Array(n * nrhs);
  gemm('T', 'N', n, nrhs, m, 1, ad, n, 0, b, nrhs, 0, 0, x, nrhs, 0);
  choleskySolve(g, n, x, nrhs);
  return x;
}

function validate(routine: string, a: FloatArray, m: number, n: number): void {
  checkDim(routine, 'm', m);
  checkDim(routine, 'n', n);
  checkView(routine, 'a', a, m, n, Math.max(1, n), 0);
  checkFinite(routine, 'a', a, m, n, Math.max(1, n), 0);
}

/**
 * Least-squares solution of `A·X ≈ B` (minimum-norm when A is rank-deficient or m < n).
 *
 * @param a - A, m×n row-major
 * @param m - rows of A
 * @param n - columns of A
 * @param b - B, m×nrhs row-major
 * @param nrhs - columns of B (default 1)
 * @param options - method, rcond, normalCondLimit
 * @returns X (n×nrhs), the method used and the numerical rank
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `SINGULAR_MATRIX` when
 *   `method: 'normal'` is forced and AᵀA is not numerically positive definite
 * @example
 * ```ts
 * // fit y = c0 + c1·t to (0, 1), (1, 3), (2, 5)
 * lstsq(new Float64Array([1, 0, 1, 1, 1, 2]), 3, 2, new Float64Array([1, 3, 5])).x; // [1, 2]
 * ```
 */
export function lstsq(
  a: FloatArray,
  m: number,
  n: number,
  b: FloatArray,
  nrhs = 1,
  options: LstsqOptions = {},
): LstsqResult {
  validate('lstsq', a, m, n);
  checkDim('lstsq', 'nrhs', nrhs);
  checkView('lstsq', 'b', b, m, nrhs, Math.max(1, nrhs), 0);
  checkFinite('lstsq', 'b', b, m, nrhs, Math.max(1, nrhs), 0);
  const { method = 'auto', normalCondLimit = 1e8 } = options;
  const rcond = options.rcond ?? Math.max(m, n) * 2 ** -52;
  if (!(rcond >= 0)) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `lstsq: rcond must be >= 0, got ${describeValue(rcond)}`,
    );
  }
  const bd = Float64Array.from(b.subarray(0, m * nrhs));
  if (method !== 'qr' && m >= n) {
    const x = solveNormal(
      a,
      m,
      n,
      bd,
      nrhs,
      method === 'normal' ? Number.POSITIVE_INFINITY : normalCondLimit,
    );
    if (x !== undefined) return { x, method: 'normal', rank: n };
    if (method === 'normal') {
      throw new CalderaError(
        'SINGULAR_MATRIX',
        'lstsq: AᵀA is not numerically positive definite; use the qr method',
      );
    }
  }
  const { x, rank } = solveQr(a, m, n, bd, nrhs, rcond);
  return { x, method: 'qr', rank };
}

/**
 * Options of {@link pinv}.
 *
 * @example
 * ```ts
 * const o: PinvOptions = { method: 'cod', rcond: 1e-12 };
 * ```
 */
export interface PinvOptions {
  /**
   * `'svd'` (default): `A⁺ = V·diag(1/σᵢ)·Uᵀ` over σᵢ > rcond·σ₀ from the exact thin SVD;
   * `'cod'`: complete orthogonal decomposition (QR with column pivoting), cheaper for tall
   * matrices, rank decided on |Rₖₖ|.
   */
  method?: 'svd' | 'cod';
  /** Relative threshold for the numerical rank (default `16·max(m, n)·2⁻⁵²`). */
  rcond?: number;
}

/**
 * Moore–Penrose pseudo-inverse A⁺ (n×m) of a matrix of any rank.
 *
 * @param a - A, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param options - `method` (`'svd'` | `'cod'`) and `rcond`
 * @returns A⁺, n×m row-major
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `NO_CONVERGENCE` (svd)
 * @example
 * ```ts
 * pinv(new Float64Array([1, 1, 1, 1]), 2, 2); // [0.25, 0.25, 0.25, 0.25]
 * ```
 */
export function pinv(a: FloatArray, m: number, n: number, options: PinvOptions = {}): Float64Array {
  validate('pinv', a, m, n);
  const rcond = options.rcond ?? Math.max(m, n) * 2 ** -52 * 16;
  if (options.method === 'cod') {
    const eye = new Float64Array(m * m);
    for (let i = 0; i < m; i++) eye[i * m + i] = 1;
    return solveQr(a, m, n, eye, m, rcond).x;
  }
  const out = new Float64Array(n * m);
  if (m === 0 || n === 0) return out;
  const { u, s, vt, k } = svd(a, m, n);
  // W = diag(1/σ)·Uᵀ over the kept singular values (k×m); A⁺ = Vᵀᵀ·W
  const w = new Float64Array(k * m);
  const cut = rcond * s[0]!;
  let r = 0;
  while (r < k && s[r]! > cut) {
    const inv = 1 / s[r]!;
    for (let i = 0; i < m; i++) w[r * m + i] = u[i * k + r]! * inv;
    r++;
  }
  if (r > 0) gemmFor(out)('T', 'N', n, m, r, 1, vt, n, 0, w, m, 0, 0, out, m, 0);
  return out;
}
