/**
 * How a dimension d is factored for the randomized Hadamard transform: d = K·2^j with K from
 * {@link HADAMARD_ORDERS} (tried in that order, as in algorithms.md §3) or K = 1 for powers of two.
 *
 * Fallback for dimensions with no such factorization (e.g. d = 1000): the vector is padded with
 * zeros to the smallest supported size ≥ d (`paddedDim`), so no dimension is refused. The
 * transform then maps ℝ^d into ℝ^paddedDim isometrically; the inverse returns the padded vector,
 * whose first d entries are the original.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { HADAMARD_ORDERS } from './hadamard-matrix';

/** Factorization of a (padded) dimension for the RHT. */
export interface HadamardPlan {
  /** The requested dimension d. */
  readonly dim: number;
  /** The dimension actually transformed: d itself when supported, else the padded size. */
  readonly paddedDim: number;
  /** Order of the dense Hadamard factor (1 when paddedDim is a power of two). */
  readonly K: number;
  /** paddedDim / K, a power of two (the FWHT length). */
  readonly pow2: number;
}

const isPow2 = (x: number) => x >= 1 && (x & (x - 1)) === 0;

function factor(d: number): { K: number; pow2: number } | null {
  for (const k of HADAMARD_ORDERS) if (d % k === 0 && isPow2(d / k)) return { K: k, pow2: d / k };
  return isPow2(d) ? { K: 1, pow2: d } : null;
}

/**
 * Plans the RHT of dimension d.
 *
 * @param d - the dimension (positive integer, at most 2³⁰)
 * @returns `{ dim, paddedDim, K, pow2 }` with paddedDim = K·pow2 ≥ d minimal among supported sizes
 * @throws CalderaError `SHAPE_MISMATCH` when d is not a positive integer
 * @example
 * ```ts
 * hadamardPlan(11008); // { dim: 11008, paddedDim: 11008, K: 172, pow2: 64 }
 * hadamardPlan(1000);  // { dim: 1000, paddedDim: 1024, K: 1, pow2: 1024 }
 * ```
 */
export function hadamardPlan(d: number): HadamardPlan {
  if (!Number.isInteger(d) || d < 1 || d > 2 ** 30) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `hadamardPlan: dimension must be a positive integer, got ${describeValue(d)}`,
      {
        details: { d },
      },
    );
  }
  const exact = factor(d);
  if (exact) return { dim: d, paddedDim: d, ...exact };
  let best = 2 ** Math.ceil(Math.log2(d));
  for (const k of HADAMARD_ORDERS) {
    let p = 1;
    while (k * p < d) p *= 2;
    if (k * p < best) best = k * p;
  }
  return { dim: d, paddedDim: best, ...(factor(best) as { K: number; pow2: number }) };
}
