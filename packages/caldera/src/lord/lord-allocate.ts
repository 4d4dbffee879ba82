/**
 * LoRD rank allocation under a parameter budget: each layer either stays dense (m·n
 * parameters, no error) or becomes rank k (k·(m+n) parameters, error e(k) from its
 * {@link LordLayerAnalysis}); the convex-hull greedy of {@link allocateRanks} picks the
 * combination with the lowest summed absolute data-aware error whose parameters are at most
 * (1 − reduction)·Σ m·n over the analysed layers.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { allocateRanks, type LayerCandidates, type RankOption } from '../model/allocate-ranks';
import type { LordLayerAnalysis } from './lord-layer';

/**
 * The ranks chosen for a parameter budget.
 *
 * @example
 * ```ts
 * const a: LordAllocation = { ranks: [64, null], parameters: 1e5, denseParameters: 1.3e5,
 *   reduction: 0.23, error: 4.1 };
 * ```
 */
export interface LordAllocation {
  /** Per analysed layer: the rank, or null for a layer kept dense. */
  ranks: (number | null)[];
  /** Parameters of the analysed layers after the decomposition. */
  parameters: number;
  /** Σ m·n of the analysed layers. */
  denseParameters: number;
  /** 1 − parameters / denseParameters (achieved, ≥ the requested reduction). */
  reduction: number;
  /** Summed absolute data-aware error. */
  error: number;
}

/**
 * The largest reduction any allocation reaches (every layer at rank 1 where that saves
 * parameters).
 *
 * @param layers - the analysed layers
 * @returns the maximum parameter reduction
 * @example
 * ```ts
 * maxLordReduction(layers); // ≈ 0.99
 * ```
 */
export function maxLordReduction(layers: readonly LordLayerAnalysis[]): number {
  let dense = 0;
  let min = 0;
  for (const l of layers) {
    dense += l.m * l.n;
    min += l.maxRank >= 1 ? l.m + l.n : l.m * l.n;
  }
  return dense > 0 ? 1 - min / dense : 0;
}

/**
 * Allocates ranks for a parameter reduction.
 *
 * @param layers - the analysed layers
 * @param reduction - the fraction of the layers' parameters to remove, in [0, 1)
 * @param rankStep - only ranks that are multiples of this are candidates (default 1)
 * @returns the allocation (reduction 0 keeps every layer dense)
 * @throws CalderaError `INVALID_OPTIONS` for a reduction outside [0, 1) or above
 *   {@link maxLordReduction}, or a bad rank step
 * @example
 * ```ts
 * const a = allocateLordRanks(layers, 0.25);
 * a.reduction >= 0.25; // true
 * ```
 */
export function allocateLordRanks(
  layers: readonly LordLayerAnalysis[],
  reduction: number,
  rankStep = 1,
): LordAllocation {
  if (!(typeof reduction === 'number' && reduction >= 0 && reduction < 1)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `parameter reduction must be in [0, 1), got ${describeValue(reduction)}`,
    );
  }
  if (!(Number.isInteger(rankStep) && rankStep >= 1)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `rank step must be a positive integer, got ${describeValue(rankStep)}`,
    );
  }
  const max = maxLordReduction(layers);
  if (reduction > max) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `parameter reduction ${reduction} is above the largest reachable ${max.toFixed(4)}`,
      { details: { reduction, max } },
    );
  }
  const candidates: LayerCandidates[] = layers.map((l) => {
    const options: RankOption[] = [{ rank: 0, bits: l.m * l.n, error: 0 }];
    for (let k = 1; k <= l.maxRank; k++) {
      if (k % rankStep !== 0 && k !== 1) continue;
      options.push({ rank: k, bits: k * (l.m + l.n), error: l.errors[k]! });
    }
    return { layer: l.name, params: l.m * l.n, options };
  });
  const a = allocateRanks(candidates, 1 - reduction);
  const dense = candidates.reduce((s, c) => s + c.params, 0);
  return {
    ranks: a.ranks.map((k) => (k === 0 ? null : k)),
    parameters: a.bits,
    denseParameters: dense,
    reduction: dense > 0 ? 1 - a.bits / dense : 0,
    error: a.error,
  };
}
