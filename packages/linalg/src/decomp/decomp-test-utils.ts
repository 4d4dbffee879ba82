/**
 * Small dense helpers for the decomposition tests (plain loops, float64). Not exported from the
 * package.
 */
import { Rng } from '@caldera/core';

/**
 * C = op(A)·op(B) with plain loops.
 *
 * @param a - A
 * @param ar - rows of op(A)
 * @param ac - columns of op(A)
 * @param ta - A stored transposed
 * @param b - B
 * @param bc - columns of op(B)
 * @param tb - B stored transposed
 * @returns C, ar×bc
 * @example
 * ```ts
 * matmul(a, 2, 3, false, b, 4, false);
 * ```
 */
export function matmul(
  a: ArrayLike<number>,
  ar: number,
  ac: number,
  ta: boolean,
  b: ArrayLike<number>,
  bc: number,
  tb: boolean,
): Float64Array {
  const c = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++) {
    for (let j = 0; j < bc; j++) {
      let s = 0;
      for (let p = 0; p < ac; p++)
        s += (ta ? a[p * ar + i]! : a[i * ac + p]!) * (tb ? b[j * ac + p]! : b[p * bc + j]!);
      c[i * bc + j] = s;
    }
  }
  return c;
}

/**
 * Max |XᵀX − I| over the columns of an r×c matrix.
 *
 * @param x - the matrix
 * @param r - rows
 * @param c - columns
 * @returns the largest deviation
 * @example
 * ```ts
 * orthError(q, m, k) < 1e-12;
 * ```
 */
export function orthError(x: ArrayLike<number>, r: number, c: number): number {
  const g = matmul(x, c, r, true, x, c, false);
  let e = 0;
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++) e = Math.max(e, Math.abs(g[i * c + j]! - (i === j ? 1 : 0)));
  return e;
}

/**
 * Frobenius norm of x − y.
 *
 * @param x - first
 * @param y - second
 * @returns ‖x − y‖_F
 * @example
 * ```ts
 * diffNorm([1, 2], [1, 2]); // 0
 * ```
 */
export function diffNorm(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  return Math.sqrt(s);
}

/**
 * Frobenius norm.
 *
 * @param x - values
 * @returns ‖x‖_F
 * @example
 * ```ts
 * fro([3, 4]); // 5
 * ```
 */
export function fro(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! ** 2;
  return Math.sqrt(s);
}

/**
 * Random m×n matrix with orthonormal columns times diag(sigma) times a random orthogonal n×n:
 * A = U·diag(σ)·Vᵀ (m ≥ n).
 *
 * @param m - rows
 * @param n - columns
 * @param sigma - singular values (length n)
 * @param seed - seed
 * @returns A, m×n float64
 * @example
 * ```ts
 * withSpectrum(50, 20, sigmas, 1);
 * ```
 */
export function withSpectrum(
  m: number,
  n: number,
  sigma: ArrayLike<number>,
  seed: number,
): Float64Array {
  const rng = new Rng(seed);
  const u = gramSchmidt(rng.fillGaussian(new Float64Array(m * n)), m, n);
  const v = gramSchmidt(rng.fillGaussian(new Float64Array(n * n)), n, n);
  const us = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) us[i * n + j] = u[i * n + j]! * sigma[j]!;
  return matmul(us, m, n, false, v, n, true);
}

/**
 * Modified Gram–Schmidt (twice) on the columns of an m×n matrix, in place.
 *
 * @param x - the matrix
 * @param m - rows
 * @param n - columns
 * @returns x with orthonormal columns
 * @example
 * ```ts
 * gramSchmidt(x, 10, 3);
 * ```
 */
export function gramSchmidt(x: Float64Array, m: number, n: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += x[i * n + j]! * x[i * n + p]!;
        for (let i = 0; i < m; i++) x[i * n + j] = x[i * n + j]! - d * x[i * n + p]!;
      }
      let s = 0;
      for (let i = 0; i < m; i++) s += x[i * n + j]! ** 2;
      s = Math.sqrt(s);
      for (let i = 0; i < m; i++) x[i * n + j] = x[i * n + j]! / s;
    }
  }
  return x;
}

/**
 * Asserts that `fn` throws a CalderaError with the given code; returns true if so.
 *
 * @param fn - the thunk
 * @returns the error code thrown, or 'none'
 * @example
 * ```ts
 * expect(codeOf(() => qr(bad, 2, 2))).toBe('NON_FINITE_INPUT');
 * ```
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? 'not-a-caldera-error';
  }
  return 'none';
}
