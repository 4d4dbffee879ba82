/**
 * LoRD over a whole model: analyse every projection of every decoder block once (basis and
 * error-versus-rank curve from the calibrated input Hessians), then build, for any rank
 * allocation, the runtime layers in place — cheap enough to evaluate many parameter budgets
 * on one loaded model.
 */
import { type LongRunningOptions, throwIfAborted } from '@caldera/core';
import type { ModelSource } from '@caldera/io';
import {
  type CalibrationStats,
  DenseLinear,
  type InputSite,
  inputSiteOf,
  LINEAR_NAMES,
  type LinearName,
  type LlamaModel,
  LowRankLinear,
  linearShape,
  linearTensorName,
} from '@caldera/runtime';
import type { LordAllocation } from './lord-allocate';
import {
  analyzeLordLayer,
  type LordDecomposition,
  type LordLayerAnalysis,
  lordFactors,
} from './lord-layer';

/**
 * One analysed projection and where it sits.
 *
 * @example
 * ```ts
 * const e: LordEntry = { layer: 0, linear: 'up_proj', analysis };
 * ```
 */
export interface LordEntry {
  layer: number;
  linear: LinearName;
  analysis: LordLayerAnalysis;
}

/**
 * The analysis of a model.
 *
 * @example
 * ```ts
 * const a: LordAnalysis = await analyzeLordModel(source, stats, { decomposition: 'whitened' });
 * ```
 */
export interface LordAnalysis {
  decomposition: LordDecomposition;
  entries: LordEntry[];
}

/**
 * Options of {@link analyzeLordModel}.
 *
 * @example
 * ```ts
 * const o: AnalyzeLordOptions = { decomposition: 'pca', include: (name) => name.includes('mlp') };
 * ```
 */
export interface AnalyzeLordOptions extends LongRunningOptions {
  /** The decomposition (default {@link DEFAULT_LORD_DECOMPOSITION}). */
  decomposition?: LordDecomposition;
  /** Which projections to decompose, by tensor name (default all seven of every block). */
  include?: (weightName: string) => boolean;
  /** Ridge of the whitened SVD (default 1e-6). */
  sigmaReg?: number;
}

/**
 * The default decomposition: the whitened SVD, which gave the lowest perplexity at every
 * parameter reduction on pycode-6m (apps/docs/pages/measurements/lord.md).
 *
 * @example
 * ```ts
 * DEFAULT_LORD_DECOMPOSITION; // 'whitened'
 * ```
 */
export const DEFAULT_LORD_DECOMPOSITION: LordDecomposition = 'whitened';

/**
 * Analyses every selected projection (one weight and one Hessian in flight at a time).
 *
 * @param source - the model
 * @param stats - calibration statistics with the input moments of every block
 * @param options - decomposition, selection, ridge, progress (task `lord-analyze`), abort
 * @returns the analysis
 * @throws CalderaError `INVALID_OPTIONS`, `ABORTED`, calibration lookup errors
 * @example
 * ```ts
 * const analysis = await analyzeLordModel(source, stats);
 * ```
 */
export async function analyzeLordModel(
  source: ModelSource,
  stats: CalibrationStats,
  options: AnalyzeLordOptions = {},
): Promise<LordAnalysis> {
  const { onProgress, signal } = options;
  const decomposition = options.decomposition ?? DEFAULT_LORD_DECOMPOSITION;
  const c = source.config;
  const todo: { layer: number; linear: LinearName; name: string }[] = [];
  for (let layer = 0; layer < c.numLayers; layer++) {
    for (const linear of LINEAR_NAMES) {
      const name = linearTensorName(layer, linear);
      if (options.include === undefined || options.include(name))
        todo.push({ layer, linear, name });
    }
  }
  onProgress?.({ type: 'start', task: 'lord-analyze', total: todo.length, unit: 'layers' });
  const entries: LordEntry[] = [];
  let cached: { key: string; h: Float64Array } = { key: '', h: new Float64Array(0) };
  for (let i = 0; i < todo.length; i++) {
    throwIfAborted(signal, 'analyzeLordModel');
    const t = todo[i]!;
    const site: InputSite = inputSiteOf(t.linear);
    const key = `${t.layer}:${site}`;
    if (cached.key !== key) cached = { key, h: stats.inputMoment(t.layer, site) };
    const [m, n] = linearShape(c, t.linear);
    const w = await source.readTensor(t.name);
    const analysis = analyzeLordLayer(
      t.name,
      w,
      m,
      n,
      cached.h,
      decomposition,
      options.sigmaReg ?? 1e-6,
    );
    entries.push({ layer: t.layer, linear: t.linear, analysis });
    onProgress?.({
      type: 'progress',
      task: 'lord-analyze',
      current: i + 1,
      total: todo.length,
      unit: 'layers',
      message: t.name,
    });
  }
  onProgress?.({ type: 'done', task: 'lord-analyze' });
  return { decomposition, entries };
}

/**
 * Factors (or, for a transform hook, modified factors) of one decomposed layer.
 *
 * @example
 * ```ts
 * const f: FactorTransform = (l, r, m, k, n) => ({ l, r });
 * ```
 */
export type FactorTransform = (
  l: Float32Array,
  r: Float32Array,
  m: number,
  k: number,
  n: number,
) => { l: Float32Array; r: Float32Array };

/**
 * Puts an allocation into a loaded model: rank-k layers become `LowRankLinear`, layers with
 * rank null become `DenseLinear` of the analysed weight (so one model can be reused across
 * allocations).
 *
 * @param model - the model the analysis came from
 * @param analysis - the analysis
 * @param ranks - per entry, the rank or null (e.g. `allocation.ranks`)
 * @param transform - optional hook on the factors (e.g. quantise–dequantise)
 * @example
 * ```ts
 * applyLord(model, analysis, allocateLordRanks(layers, 0.2).ranks);
 * ```
 */
export function applyLord(
  model: LlamaModel,
  analysis: LordAnalysis,
  ranks: LordAllocation['ranks'],
  transform?: FactorTransform,
): void {
  analysis.entries.forEach((e, i) => {
    const a = e.analysis;
    const k = ranks[i] ?? null;
    if (k === null) {
      model.setLinear(e.layer, e.linear, new DenseLinear(a.weight, a.m, a.n));
      return;
    }
    let f = lordFactors(a, k);
    if (transform) f = transform(f.l, f.r, a.m, k, a.n);
    model.setLinear(e.layer, e.linear, new LowRankLinear(f.l, f.r, a.m, k, a.n));
  });
}
