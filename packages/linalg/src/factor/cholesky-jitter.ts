/**
 * Cholesky with diagonal-jitter retry: when A is only positive semi-definite or slightly
 * indefinite from rounding (typical of Hessians `XᵀX/N` with few samples), factor `A + δ·I` with
 * δ growing geometrically until it succeeds.
 */
import { CalderaError, describeValue, isCalderaError } from '@caldera/core';
import { checkDim, checkFinite, checkView } from '../blas/validate';
import { dpotrf, spotrf } from './cholesky';

/**
 * Options of {@link choleskyWithJitter}.
 *
 * @example
 * ```ts
 * const o: JitterOptions = { maxTries: 6, initialJitter: 1e-8, growth: 10 };
 * ```
 */
export interface JitterOptions {
  /** Attempts with jitter after the plain one (default 8). */
  maxTries?: number;
  /** First jitter, relative to the mean diagonal (default 1e-6). */
  initialJitter?: number;
  /** Factor between successive jitters (default 10). */
  growth?: number;
}

/**
 * The result of {@link choleskyWithJitter}.
 *
 * @example
 * ```ts
 * const r: JitterResult<Float64Array> = { l: new Float64Array([1]), jitter: 0, tries: 0 };
 * ```
 */
export interface JitterResult<T extends Float32Array | Float64Array> {
  /** L (n×n, lower, zeros above) with `A + jitter·I = L·Lᵀ`. */
  l: T;
  /** The absolute amount added to the diagonal (0 when A factored as is). */
  jitter: number;
  /** Jittered attempts that were needed (0 when A factored as is). */
  tries: number;
}

/**
 * Factors `A + δ·I = L·Lᵀ`, first with δ = 0, then δ = initialJitter·mean(diag A)·growthᵗ for
 * t = 0, 1, … up to `maxTries` attempts. A (n×n, dense, row-major; lower triangle read) is not
 * modified; the arithmetic follows A's precision (`dpotrf` or `spotrf`).
 *
 * @param a - the symmetric matrix
 * @param n - its order
 * @param options - `maxTries`, `initialJitter`, `growth`
 * @returns L, the jitter used and the number of jittered attempts
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` when every attempt fails (cause: the last failure),
 *   `NON_FINITE_INPUT`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const { l, jitter } = choleskyWithJitter(new Float64Array([1, 1, 1, 1]), 2); // singular
 * // jitter ≈ 1e-6, l·lᵀ ≈ A + 1e-6·I
 * ```
 */
export function choleskyWithJitter<T extends Float32Array | Float64Array>(
  a: T,
  n: number,
  options: JitterOptions = {},
): JitterResult<T> {
  const { maxTries = 8, initialJitter = 1e-6, growth = 10 } = options;
  checkDim('choleskyWithJitter', 'n', n);
  checkView('choleskyWithJitter', 'a', a, n, n, n, 0);
  checkFinite('choleskyWithJitter', 'a', a, n, n, n, 0);
  if (!(initialJitter > 0) || !(growth > 1) || !Number.isInteger(maxTries) || maxTries < 0) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `choleskyWithJitter: need initialJitter > 0, growth > 1, maxTries >= 0; got ${describeValue(options)}`,
    );
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Math.abs(a[i * n + i]!);
  mean = n > 0 ? mean / n : 0;
  if (mean === 0) mean = 1;
  let last: unknown;
  for (let t = -1; t < maxTries; t++) {
    const jitter = t < 0 ? 0 : initialJitter * mean * growth ** t;
    const l = a.slice() as T;
    if (jitter > 0) for (let i = 0; i < n; i++) l[i * n + i]! += jitter;
    try {
      if (l instanceof Float64Array) dpotrf(n, l);
      else spotrf(n, l as Float32Array);
      return { l, jitter, tries: t + 1 };
    } catch (e) {
      if (!isCalderaError(e, 'NOT_POSITIVE_DEFINITE')) throw e;
      last = e;
    }
  }
  throw new CalderaError(
    'NOT_POSITIVE_DEFINITE',
    `choleskyWithJitter: not positive definite even with jitter ${initialJitter * mean * growth ** (maxTries - 1)}`,
    { cause: last, details: { maxTries } },
  );
}
