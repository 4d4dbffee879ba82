/**
 * Test helpers for @caldera/linalg: seeded random matrices, norms and reconstruction products.
 */
import { Rng } from '@caldera/core';
import { gemmRefUnchecked } from '../src/blas/gemm-ref';

/**
 * Seeded Gaussian Float32Array.
 *
 * @param len - length
 * @param seed - seed
 * @returns the array
 * @example
 * ```ts
 * randF32(4, 1);
 * ```
 */
export function randF32(len: number, seed: number): Float32Array {
  return new Rng(seed).fillGaussian(new Float32Array(len));
}

/**
 * Seeded Gaussian Float64Array.
 *
 * @param len - length
 * @param seed - seed
 * @returns the array
 * @example
 * ```ts
 * randF64(4, 1);
 * ```
 */
export function randF64(len: number, seed: number): Float64Array {
  return new Rng(seed).fillGaussian(new Float64Array(len));
}

/**
 * A random SPD matrix `X·Xᵀ/k + shift·I` (X n×k Gaussian).
 *
 * @param n - order
 * @param seed - seed
 * @param k - columns of X (default n + 8)
 * @param shift - diagonal shift (default 0)
 * @returns n×n row-major
 * @example
 * ```ts
 * randomSpd(4, 1);
 * ```
 */
export function randomSpd(n: number, seed: number, k = n + 8, shift = 0): Float64Array {
  const x = randF64(n * k, seed);
  const a = new Float64Array(n * n);
  gemmRefUnchecked('N', 'T', n, n, k, 1 / k, x, k, 0, x, k, 0, 0, a, n, 0);
  for (let i = 0; i < n; i++) a[i * n + i]! += shift;
  return a;
}

/**
 * An SPD matrix with condition number about `cond`: `Q·diag(λ)·Qᵀ` with λ log-spaced in
 * [1/cond, 1] and Q from Gram–Schmidt of a Gaussian matrix.
 *
 * @param n - order
 * @param cond - condition number
 * @param seed - seed
 * @returns n×n row-major
 * @example
 * ```ts
 * illConditionedSpd(8, 1e8, 1);
 * ```
 */
export function illConditionedSpd(n: number, cond: number, seed: number): Float64Array {
  const q = orthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) {
        const lam = cond ** (-p / Math.max(1, n - 1));
        s += q[i * n + p]! * lam * q[j * n + p]!;
      }
      a[i * n + j] = s;
    }
  }
  return a;
}

/**
 * A random orthogonal matrix (modified Gram–Schmidt on columns).
 *
 * @param n - order
 * @param seed - seed
 * @returns n×n row-major with orthonormal columns
 * @example
 * ```ts
 * orthogonal(3, 1);
 * ```
 */
export function orthogonal(n: number, seed: number): Float64Array {
  const q = randF64(n * n, seed);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i * n + j]! * q[i * n + p]!;
      for (let i = 0; i < n; i++) q[i * n + j]! -= d * q[i * n + p]!;
    }
    let nr = 0;
    for (let i = 0; i < n; i++) nr += q[i * n + j]! ** 2;
    nr = Math.sqrt(nr);
    for (let i = 0; i < n; i++) q[i * n + j]! /= nr;
  }
  return q;
}

/**
 * Row-major product of dense matrices (reference loop, float64).
 *
 * @param a - m×k
 * @param b - k×n
 * @param m - rows
 * @param k - inner
 * @param n - columns
 * @param transB - use Bᵀ (B stored n×k)
 * @returns m×n
 * @example
 * ```ts
 * matmul(new Float64Array([1]), new Float64Array([2]), 1, 1, 1); // [2]
 * ```
 */
export function matmul(
  a: Float64Array | Float32Array,
  b: Float64Array | Float32Array,
  m: number,
  k: number,
  n: number,
  transB = false,
): Float64Array {
  const c = new Float64Array(m * n);
  gemmRefUnchecked('N', transB ? 'T' : 'N', m, n, k, 1, a, k, 0, b, transB ? k : n, 0, 0, c, n, 0);
  return c;
}

/**
 * Max-abs difference of two arrays.
 *
 * @param a - first
 * @param b - second
 * @returns max |a − b|
 * @example
 * ```ts
 * maxAbsDiff([1], [1.5]); // 0.5
 * ```
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e;
}

/**
 * Max-abs entry.
 *
 * @param a - array
 * @returns max |a|
 * @example
 * ```ts
 * maxAbs([1, -3]); // 3
 * ```
 */
export function maxAbs(a: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]!));
  return e;
}

/**
 * Backend names the parity suites run on (those available here).
 */
export const BACKENDS = ['js', 'wasm'] as const;
