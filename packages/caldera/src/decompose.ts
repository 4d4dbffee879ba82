/**
 * One entry point for every per-matrix method.
 */
import { CalderaError, describeValue } from '@caldera/core';
import {
  ldlqDecompose,
  lowRankOnlyDecompose,
  quantizeThenLowRankDecompose,
  type RtnOptions,
  rtnDecompose,
} from './baselines';
import { calderaDecompose } from './caldera';
import { type LowRankOptions, lowRankDecompose } from './low-rank';
import type { CalderaOptions } from './options';
import type { Decomposition, MethodName } from './result';

/**
 * Options of {@link decompose}: each method reads the fields it knows (CALDERA options for
 * `caldera`, `ldlq`, `low-rank`, `quantize-then-lr`; `quantizer`/`rht`/`seed` for `rtn`;
 * `rule`/`outputMoment`/`sigmaReg` for the LoRD methods).
 *
 * @example
 * ```ts
 * const o: DecomposeOptions = { rank: 16, rule: { rank: 16 } };
 * ```
 */
export type DecomposeOptions = CalderaOptions & Omit<RtnOptions, 'rht' | 'seed'> & LowRankOptions;

/**
 * Decomposes W (m×n) with Hessian H (n×n) by the named method; every method returns the same
 * {@link Decomposition} (`reconstruct`, `bitsPerParameter`, `dataAwareError`).
 *
 * @param method - `'caldera'`, `'rtn'`, `'ldlq'`, `'low-rank'`, `'quantize-then-lr'`,
 *   `'weight-svd'`, `'whitened-svd'` or `'output-pca'`
 * @param w - W, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n row-major (may be null only for `'weight-svd'` and `'output-pca'`)
 * @param options - method options
 * @returns the decomposition
 * @throws CalderaError `INVALID_OPTIONS` for an unknown method or a missing H; otherwise as the method
 * @example
 * ```ts
 * for (const method of ['caldera', 'ldlq', 'rtn'] as const) {
 *   const d = decompose(method, w, 64, 128, h, { rank: 8 });
 *   console.log(method, d.bitsPerParameter, d.dataAwareError);
 * }
 * ```
 */
export function decompose(
  method: MethodName,
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array | null,
  options: DecomposeOptions = {},
): Decomposition {
  if (method === 'weight-svd' || method === 'whitened-svd' || method === 'output-pca') {
    return lowRankDecompose(method, w, m, n, h, options);
  }
  if (h === null) {
    throw new CalderaError('INVALID_OPTIONS', `method ${describeValue(method)} needs a Hessian H`);
  }
  switch (method) {
    case 'caldera':
      return calderaDecompose(w, m, n, h, options);
    case 'rtn':
      return rtnDecompose(w, m, n, h, {
        quantizer: options.quantizer,
        rht: options.rht,
        seed: options.seed,
      });
    case 'ldlq':
      return ldlqDecompose(w, m, n, h, options);
    case 'low-rank':
      return lowRankOnlyDecompose(w, m, n, h, options);
    case 'quantize-then-lr':
      return quantizeThenLowRankDecompose(w, m, n, h, options);
    default:
      throw new CalderaError('INVALID_OPTIONS', `unknown method ${describeValue(method)}`);
  }
}
