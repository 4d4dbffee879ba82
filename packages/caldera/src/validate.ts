/**
 * Validation of a per-matrix problem (W, m, n, H, rank) shared by every method.
 */
import { CalderaError, describeValue } from '@caldera/core';

/**
 * Checks W (m×n), H (n×n, finite, symmetric to a relative 1e-5) and the rank.
 *
 * @param w - W, m×n row-major
 * @param m - rows (output features)
 * @param n - columns (input features)
 * @param h - H, n×n row-major, or null when the method does not use it
 * @param rank - the requested rank (0 when none)
 * @throws CalderaError `SHAPE_MISMATCH` for bad dimensions or lengths; `NON_FINITE_INPUT` for
 *   NaN/±Infinity in W or H; `HESSIAN_NOT_SYMMETRIC` when H differs from Hᵀ;
 *   `RANK_TOO_LARGE` when rank > min(m, n); `INVALID_OPTIONS` for a negative or fractional rank
 * @example
 * ```ts
 * validateProblem(new Float32Array(4), 2, 2, new Float64Array([1, 0, 0, 1]), 1); // ok
 * ```
 */
export function validateProblem(
  w: ArrayLike<number>,
  m: number,
  n: number,
  h: ArrayLike<number> | null,
  rank: number,
): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `dimensions must be positive integers, got ${describeValue([m, n])}`,
      {
        details: { m, n },
      },
    );
  }
  if (w.length !== m * n) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `W must hold m·n = ${m * n} values for ${m}×${n}, got ${w.length}`,
      {
        details: { m, n, length: w.length },
      },
    );
  }
  if (h !== null && h.length !== n * n) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `H must be n×n = ${n * n} values (n = ${n}), got ${h.length}`,
      {
        details: { n, length: h.length },
      },
    );
  }
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i]!)) {
      throw new CalderaError(
        'NON_FINITE_INPUT',
        `W[${Math.floor(i / n)}, ${i % n}] is ${describeValue(w[i])}`,
        {
          details: { index: i },
        },
      );
    }
  }
  if (h !== null) checkHessian(h, n);
  if (!Number.isInteger(rank) || rank < 0) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `rank must be a non-negative integer, got ${describeValue(rank)}`,
    );
  }
  if (rank > Math.min(m, n)) {
    throw new CalderaError(
      'RANK_TOO_LARGE',
      `rank ${rank} exceeds min(m, n) = ${Math.min(m, n)} for ${m}×${n}`,
      {
        details: { rank, m, n },
      },
    );
  }
}

function checkHessian(h: ArrayLike<number>, n: number): void {
  let maxAbs = 0;
  for (let i = 0; i < h.length; i++) {
    const v = h[i]!;
    if (!Number.isFinite(v)) {
      throw new CalderaError(
        'NON_FINITE_INPUT',
        `H[${Math.floor(i / n)}, ${i % n}] is ${describeValue(v)}`,
        {
          details: { index: i },
        },
      );
    }
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const tol = 1e-5 * maxAbs;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = h[i * n + j]!;
      const b = h[j * n + i]!;
      if (Math.abs(a - b) > tol) {
        throw new CalderaError(
          'HESSIAN_NOT_SYMMETRIC',
          `H is not symmetric: H[${i}, ${j}] = ${describeValue(a)} but H[${j}, ${i}] = ${describeValue(b)}`,
          { details: { i, j } },
        );
      }
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += h[i * n + i]!;
  if (!(trace > 0)) {
    throw new CalderaError(
      'NOT_POSITIVE_DEFINITE',
      `H has non-positive trace ${describeValue(trace)}`,
      {
        details: { trace },
      },
    );
  }
}
