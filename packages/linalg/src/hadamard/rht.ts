/**
 * Randomized Hadamard transform (RHT) of algorithms.md §3.
 *
 * For a supported dimension d = K·p (p = 2^j, see {@link hadamardPlan}), let
 * M_d = (H_K ⊗ S_p)/√d with Kronecker index `row = c·p + s` (c indexes H_K, s indexes S_p), and
 * U = diag(σ)·M_d for a sign vector σ ∈ {±1}^d. This file works on row vectors:
 *
 * - `rhtRows`: each row x ← x·U = (x ∘ σ)·M_d. Viewing x as a K×p matrix X, this is
 *   Hᴷᵀ·(X·S_p)/√d: an FWHT of each length-p segment, then the dense K×K mix (a GEMM).
 * - `rhtRowsInverse`: each row y ← y·Uᵀ = (y·M_dᵀ) ∘ σ = (H_K·(Y·S_p)/√d) ∘ σ.
 *
 * Both are orthogonal maps (‖x·U‖ = ‖x‖). The float32 path accumulates in float32 through
 * `sgemm`; the float64 path through `dgemm`.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { dgemm, sgemm } from '../blas/gemm';
import type { FloatArray } from '../blas/types';
import { checkDim, checkView } from '../blas/validate';
import { fwhtSegment } from './fwht';
import { hadamardMatrix, hadamardMatrixF32 } from './hadamard-matrix';
import { hadamardPlan } from './hadamard-plan';

const cacheF64 = new Map<number, Float64Array>();
function hadamardF64(k: number): Float64Array {
  let h = cacheF64.get(k);
  if (h === undefined) {
    h = Float64Array.from(hadamardMatrix(k));
    cacheF64.set(k, h);
  }
  return h;
}

function check(
  routine: string,
  x: FloatArray,
  rows: number,
  d: number,
  signs: FloatArray,
  ld: number,
  off: number,
) {
  checkDim(routine, 'rows', rows);
  const plan = hadamardPlan(d);
  if (plan.paddedDim !== d) {
    throw new CalderaError(
      'UNSUPPORTED_DIMENSION',
      `${routine}: dimension ${d} is not K·2^j for a supported K; pad rows to hadamardPlan(${d}).paddedDim = ${plan.paddedDim}`,
      { details: { d, paddedDim: plan.paddedDim } },
    );
  }
  if (signs.length !== d) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${routine}: signs must have length ${d}, got ${describeValue(signs.length)}`,
      {
        details: { d, signs: signs.length },
      },
    );
  }
  checkView(routine, 'x', x, rows, d, ld, off);
  return plan;
}

function transformRows(
  x: FloatArray,
  rows: number,
  d: number,
  signs: FloatArray,
  ld: number,
  off: number,
  inverse: boolean,
  routine: string,
): void {
  const { K, pow2: p } = check(routine, x, rows, d, signs, ld, off);
  const scale = 1 / Math.sqrt(d);
  const f32 = x instanceof Float32Array;
  const scratch: FloatArray =
    K > 1 ? (f32 ? new Float32Array(d) : new Float64Array(d)) : new Float32Array(0);
  for (let r = 0; r < rows; r++) {
    const o = off + r * ld;
    if (!inverse) for (let i = 0; i < d; i++) x[o + i] = x[o + i]! * signs[i]!;
    for (let c = 0; c < K; c++) fwhtSegment(x, o + c * p, p);
    if (K > 1) {
      // forward: Y = H_Kᵀ·Z; inverse: Y = H_K·Z (Z = the K×p matrix of transformed segments)
      const t = inverse ? 'N' : 'T';
      if (f32)
        sgemm(
          t,
          'N',
          K,
          p,
          K,
          1,
          hadamardMatrixF32(K),
          K,
          x as Float32Array,
          p,
          0,
          scratch as Float32Array,
          p,
          0,
          o,
          0,
        );
      else
        dgemm(
          t,
          'N',
          K,
          p,
          K,
          1,
          hadamardF64(K),
          K,
          x as Float64Array,
          p,
          0,
          scratch as Float64Array,
          p,
          0,
          o,
          0,
        );
      if (inverse) for (let i = 0; i < d; i++) x[o + i] = scratch[i]! * scale * signs[i]!;
      else for (let i = 0; i < d; i++) x[o + i] = scratch[i]! * scale;
    } else if (inverse) {
      for (let i = 0; i < d; i++) x[o + i] = x[o + i]! * scale * signs[i]!;
    } else {
      for (let i = 0; i < d; i++) x[o + i] = x[o + i]! * scale;
    }
  }
}

/**
 * In place, every row x of a `rows × d` view becomes x·U = (x ∘ signs)·M_d (see module doc).
 *
 * @param x - storage (float32 or float64)
 * @param rows - number of rows
 * @param d - row length; must be supported exactly (`hadamardPlan(d).paddedDim === d`)
 * @param signs - σ, length d, entries ±1 (e.g. `new Rng(seed).signs(d)`)
 * @param ld - row stride, default d
 * @param off - offset of element (0, 0), default 0
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when d needs padding; `SHAPE_MISMATCH` for bad
 *   views or sign length
 * @example
 * ```ts
 * const x = new Float32Array([1, 0]);
 * rhtRows(x, 1, 2, new Float32Array([1, 1])); // x = [0.7071, 0.7071]
 * ```
 */
export function rhtRows(
  x: FloatArray,
  rows: number,
  d: number,
  signs: FloatArray,
  ld = d,
  off = 0,
): void {
  transformRows(x, rows, d, signs, ld, off, false, 'rhtRows');
}

/**
 * Inverse of {@link rhtRows}: every row y becomes y·Uᵀ = (y·M_dᵀ) ∘ signs.
 *
 * @param x - storage
 * @param rows - number of rows
 * @param d - row length (supported exactly)
 * @param signs - the σ used by the forward transform
 * @param ld - row stride, default d
 * @param off - offset, default 0
 * @throws CalderaError `UNSUPPORTED_DIMENSION`, `SHAPE_MISMATCH` as {@link rhtRows}
 * @example
 * ```ts
 * const s = new Float32Array([1, -1]);
 * const x = new Float32Array([3, 4]);
 * rhtRows(x, 1, 2, s);
 * rhtRowsInverse(x, 1, 2, s); // x ≈ [3, 4]
 * ```
 */
export function rhtRowsInverse(
  x: FloatArray,
  rows: number,
  d: number,
  signs: FloatArray,
  ld = d,
  off = 0,
): void {
  transformRows(x, rows, d, signs, ld, off, true, 'rhtRowsInverse');
}

/**
 * RHT of one vector in place: x ← (x ∘ signs)·M_d (the row form of Uᵀx).
 *
 * @param x - the vector, length d (supported exactly; see `padToHadamard`)
 * @param signs - σ, length d
 * @throws CalderaError `UNSUPPORTED_DIMENSION`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const x = new Float64Array(12).fill(1);
 * rht(x, new Float64Array(12).fill(1)); // ‖x‖ stays √12
 * ```
 */
export function rht(x: FloatArray, signs: FloatArray): void {
  transformRows(x, 1, x.length, signs, x.length, 0, false, 'rht');
}

/**
 * Inverse of {@link rht} in place: y ← (y·M_dᵀ) ∘ signs.
 *
 * @param y - the transformed vector
 * @param signs - the σ of the forward transform
 * @throws CalderaError `UNSUPPORTED_DIMENSION`, `SHAPE_MISMATCH`
 * @example
 * ```ts
 * const s = new Float64Array([1, -1, 1, 1]);
 * const x = new Float64Array([1, 2, 3, 4]);
 * rht(x, s);
 * rhtInverse(x, s); // x ≈ [1, 2, 3, 4]
 * ```
 */
export function rhtInverse(y: FloatArray, signs: FloatArray): void {
  transformRows(y, 1, y.length, signs, y.length, 0, true, 'rhtInverse');
}

/**
 * Copies x into a zero-padded vector of length `hadamardPlan(x.length).paddedDim` (the fallback
 * for dimensions with no K·2^j factorization).
 *
 * @param x - the vector
 * @returns a new array of the same type, length paddedDim (x itself copied when no padding is needed)
 * @throws CalderaError `SHAPE_MISMATCH` for an empty vector
 * @example
 * ```ts
 * padToHadamard(new Float32Array(1000)).length; // 1024
 * ```
 */
export function padToHadamard<T extends FloatArray>(x: T): T {
  const { paddedDim } = hadamardPlan(x.length);
  const out = (
    x instanceof Float32Array ? new Float32Array(paddedDim) : new Float64Array(paddedDim)
  ) as T;
  out.set(x);
  return out;
}
