/**
 * Baselines through the same result type as CALDERA: RTN, LDLQ-only (Q alone, QuIP#-style),
 * low-rank only, and "quantise, then fit L·R to the residual" in one shot.
 */
import { Rng } from '@caldera/core';
import { e8Ops } from '@caldera/quant';
import { calderaDecompose } from './caldera';
import { relativeDataAwareError } from './hessian';
import { rms } from './internal/dense';
import type { CalderaOptions } from './options';
import { checkSpec, e8NameForBits, type QuantizerSpec, quantizeMatrix } from './quantizer';
import { type Decomposition, makeDecomposition } from './result';
import { makeRotation, rotateWeights } from './rotation';
import { validateProblem } from './validate';

/**
 * Options of {@link rtnDecompose}.
 *
 * @example
 * ```ts
 * const o: RtnOptions = { quantizer: { family: 'uniform', bits: 4, groupSize: 128 } };
 * ```
 */
export interface RtnOptions {
  /** The quantiser (default uniform 4-bit, one absmax scale per row). */
  quantizer?: QuantizerSpec;
  /** Apply the two-sided RHT first (default false: plain RTN). */
  rht?: boolean;
  /** Seed of the RHT signs (default 42). */
  seed?: number;
}

/**
 * Round-to-nearest: every weight (or 8-vector for the E8 family, scaled to RMS optScale)
 * rounded to the nearest grid point, ignoring H. H only enters the reported error.
 *
 * @param w - W, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n (for the error)
 * @param options - quantiser and RHT
 * @returns the decomposition (Q only)
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `HESSIAN_NOT_SYMMETRIC`, `INVALID_OPTIONS`
 * @example
 * ```ts
 * rtnDecompose(w, 64, 128, h, { quantizer: { family: 'uniform', bits: 3 } }).dataAwareError;
 * ```
 */
export function rtnDecompose(
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array,
  options: RtnOptions = {},
): Decomposition {
  const spec = checkSpec(options.quantizer ?? { family: 'uniform', bits: 4 }, 'quantizer');
  validateProblem(w, m, n, h, 0);
  const rht = options.rht ?? false;
  const seed = options.seed ?? 42;
  const rot = makeRotation(m, n, rht, new Rng(seed));
  const rmsW = rms(w);
  const g = rmsW || 1; // an all-zero W stays zero: globalScale 0 below
  const wr = rotateWeights(rot, w);
  for (let i = 0; i < wr.length; i++) wr[i]! /= g;
  const factor = spec.family === 'e8p' ? e8Ops(e8NameForBits(spec.bits)).optScale : 1;
  const { stored } = quantizeMatrix(wr, rot.mp, rot.np, spec, factor);
  const d = makeDecomposition({
    method: 'rtn',
    m,
    n,
    rank: 0,
    globalScale: rmsW === 0 ? 0 : g,
    rotation: rot,
    q: stored,
    l: null,
    r: null,
    options: { quantizer: spec, rht, seed },
    trace: [],
    bestIteration: -1,
    dataAwareError: 0,
  });
  d.dataAwareError = relativeDataAwareError(w, d.reconstruct(), m, n, h);
  return d;
}

/**
 * LDLQ-only (Q alone with RHT and LDLQ, as GPTQ/QuIP#): CALDERA with rank 0 and one iteration.
 *
 * @param w - W, m×n
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n
 * @param options - CALDERA options (rank, order and iterations are overridden)
 * @returns the decomposition
 * @throws CalderaError as {@link calderaDecompose}
 * @example
 * ```ts
 * ldlqDecompose(w, 64, 128, h, { qQuantizer: { family: 'e8p', bits: 3 } }).bitsPerParameter; // ≈ 3.06
 * ```
 */
export function ldlqDecompose(
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array,
  options: CalderaOptions = {},
): Decomposition {
  return calderaDecompose(w, m, n, h, { ...options, rank: 0, order: ['Q'], iterations: 1 }, 'ldlq');
}

/**
 * Low-rank only: the LR step alone (whitened closed form; LPLR when the factors are
 * quantised), float16 factors and no RHT unless asked.
 *
 * @param w - W, m×n
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n
 * @param options - CALDERA options (rank required; order/iterations overridden)
 * @returns the decomposition
 * @throws CalderaError as {@link calderaDecompose}
 * @example
 * ```ts
 * lowRankOnlyDecompose(w, 64, 128, h, { rank: 16 }).dataAwareError;
 * ```
 */
export function lowRankOnlyDecompose(
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array,
  options: CalderaOptions = {},
): Decomposition {
  return calderaDecompose(
    w,
    m,
    n,
    h,
    { lrQuantizer: { family: 'float' }, rht: false, ...options, order: ['LR'], iterations: 1 },
    'low-rank',
  );
}

/**
 * One shot "quantise, then fit L·R to the residual": LDLQ of W, then one LR step on W − Q.
 *
 * @param w - W, m×n
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n
 * @param options - CALDERA options (order/iterations overridden)
 * @returns the decomposition
 * @throws CalderaError as {@link calderaDecompose}
 * @example
 * ```ts
 * quantizeThenLowRankDecompose(w, 64, 128, h, { rank: 8 }).dataAwareError;
 * ```
 */
export function quantizeThenLowRankDecompose(
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array,
  options: CalderaOptions = {},
): Decomposition {
  return calderaDecompose(
    w,
    m,
    n,
    h,
    { ...options, order: ['Q', 'LR'], iterations: 1 },
    'quantize-then-lr',
  );
}
