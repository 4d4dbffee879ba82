/**
 * `compressLord`: calibrate → analyse every projection → choose ranks for a parameter
 * reduction (or search the largest reduction whose perplexity stays within a budget) → write
 * the LoRD checkpoint folder.
 *
 * The perplexity-budget search bisects the reduction: perplexity grows (almost) monotonically
 * with the reduction because each allocation's error is a nested greedy path; the search keeps
 * the largest evaluated reduction that met the budget.
 */
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import type { ModelSource } from '@caldera/io';
import {
  type CalibrationStats,
  collectCalibration,
  LlamaModel,
  perplexity,
} from '@caldera/runtime';
import { allocateLordRanks, type LordAllocation, maxLordReduction } from './lord-allocate';
import { writeLordCheckpoint } from './lord-checkpoint-writer';
import type { LordDecomposition } from './lord-layer';
import { analyzeLordModel, applyLord, type LordAnalysis } from './lord-model';

/**
 * A perplexity budget: the reduction is the largest whose perplexity on `tokens` is at most
 * (1 + percent/100) × the dense model's.
 *
 * @example
 * ```ts
 * const b: PplBudget = { percent: 1, tokens, contextLength: 256, maxWindows: 16 };
 * ```
 */
export interface PplBudget {
  /** Allowed perplexity increase in percent (> 0). */
  percent: number;
  /** Evaluation tokens. */
  tokens: ArrayLike<number>;
  /** Evaluation context (default 256). */
  contextLength?: number;
  /** At most this many windows (default all). */
  maxWindows?: number;
  /** Bisection steps (default 8). */
  steps?: number;
  /** Largest reduction tried (default min(0.9, reachable)). */
  maxReduction?: number;
}

/**
 * Options of {@link compressLord}.
 *
 * @example
 * ```ts
 * const o: CompressLordOptions = { outDir: 'out', parameterReduction: 0.2 };
 * ```
 */
export interface CompressLordOptions extends LongRunningOptions {
  outDir: string;
  /** Fraction of the projections' parameters to remove, in (0, 1). */
  parameterReduction?: number;
  /** Or: a perplexity budget (exactly one of the two). */
  pplBudget?: PplBudget;
  decomposition?: LordDecomposition;
  /** Candidate ranks are multiples of this (default 1). */
  rankStep?: number;
  /** dtype of the checkpoint's tensors (default `'F16'`). */
  dtype?: 'F16' | 'F32';
  tokenizerFiles?: readonly string[];
}

/**
 * One evaluated point of the perplexity search.
 *
 * @example
 * ```ts
 * const p: LordSearchPoint = { reduction: 0.2, ppl: 17.1 };
 * ```
 */
export interface LordSearchPoint {
  reduction: number;
  ppl: number;
}

/**
 * The result of {@link compressLord}.
 *
 * @example
 * ```ts
 * const s: LordSummary = await compressLord(source, { windows }, { outDir: 'o', parameterReduction: 0.2 });
 * ```
 */
export interface LordSummary {
  outDir: string;
  decomposition: LordDecomposition;
  /** The requested reduction (or the one the search chose). */
  requestedReduction: number;
  allocation: LordAllocation;
  /** Per analysed projection: name, shape and rank (null = dense). */
  layers: { name: string; m: number; n: number; rank: number | null }[];
  /** Parameters of the whole model before and after. */
  totalParametersBefore: number;
  totalParametersAfter: number;
  bytesAfter: number;
  /** With a perplexity budget: the dense perplexity, the chosen one and every point tried. */
  densePpl?: number;
  ppl?: number;
  search?: LordSearchPoint[];
  seconds: number;
}

function checkReduction(r: unknown): number {
  if (!(typeof r === 'number' && r > 0 && r < 1)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `parameter reduction must be in (0, 1), got ${describeValue(r)}`,
    );
  }
  return r;
}

/**
 * Finds the largest reduction whose perplexity meets a budget (bisection on a loaded model).
 *
 * @param model - the dense model (its projections are replaced during the search and left
 *   at the chosen allocation)
 * @param analysis - its analysis
 * @param budget - the budget
 * @param rankStep - rank step of the allocator
 * @param options - progress (task `lord-search`) and abort signal
 * @returns the chosen reduction (0 when none met the budget), the dense perplexity, the points
 * @throws CalderaError `INVALID_OPTIONS` for a bad budget
 * @example
 * ```ts
 * const s = await searchLordReduction(model, analysis, { percent: 1, tokens });
 * ```
 */
export async function searchLordReduction(
  model: LlamaModel,
  analysis: LordAnalysis,
  budget: PplBudget,
  rankStep = 1,
  options: LongRunningOptions = {},
): Promise<{ reduction: number; densePpl: number; ppl: number; points: LordSearchPoint[] }> {
  if (
    !(typeof budget.percent === 'number' && budget.percent > 0 && Number.isFinite(budget.percent))
  ) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `perplexity budget must be a positive percentage, got ${describeValue(budget.percent)}`,
    );
  }
  const layers = analysis.entries.map((e) => e.analysis);
  const evalOpts = {
    contextLength: budget.contextLength ?? 256,
    ...(budget.maxWindows !== undefined ? { maxWindows: budget.maxWindows } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const pplAt = async (r: number): Promise<number> => {
    applyLord(model, analysis, allocateLordRanks(layers, r, rankStep).ranks);
    return (await perplexity(model, budget.tokens, evalOpts)).perplexity;
  };
  const steps = budget.steps ?? 8;
  options.onProgress?.({ type: 'start', task: 'lord-search', total: steps + 1, unit: 'evals' });
  const densePpl = await pplAt(0);
  const limit = densePpl * (1 + budget.percent / 100);
  const points: LordSearchPoint[] = [{ reduction: 0, ppl: densePpl }];
  let lo = 0;
  let loPpl = densePpl;
  let hi = Math.min(budget.maxReduction ?? 0.9, maxLordReduction(layers));
  for (let s = 0; s < steps; s++) {
    const mid = s === 0 ? hi : (lo + hi) / 2;
    const ppl = await pplAt(mid);
    points.push({ reduction: mid, ppl });
    if (ppl <= limit) {
      lo = mid;
      loPpl = ppl;
      if (s === 0) break;
    } else hi = mid;
    options.onProgress?.({
      type: 'progress',
      task: 'lord-search',
      current: s + 2,
      total: steps + 1,
      unit: 'evals',
      metrics: { reduction: mid, ppl },
    });
  }
  options.onProgress?.({ type: 'done', task: 'lord-search' });
  applyLord(model, analysis, allocateLordRanks(layers, lo, rankStep).ranks);
  return { reduction: lo, densePpl, ppl: loPpl, points };
}

/**
 * Compresses a model with LoRD and writes the checkpoint folder.
 *
 * @param source - the model
 * @param calibration - statistics, or token windows to collect them from
 * @param options - exactly one of `parameterReduction` / `pplBudget`, decomposition, rank
 *   step, dtype, tokenizer files, progress, abort
 * @returns the summary
 * @throws CalderaError `INVALID_OPTIONS` (reduction outside (0, 1), both or neither budget,
 *   a budget no reduction meets), `ABORTED`, calibration and I/O errors
 * @example
 * ```ts
 * const s = await compressLord(source, { windows }, { outDir: 'out/pycode-lord', parameterReduction: 0.2 });
 * ```
 */
export async function compressLord(
  source: ModelSource,
  calibration: CalibrationStats | { windows: readonly ArrayLike<number>[] },
  options: CompressLordOptions,
): Promise<LordSummary> {
  const t0 = performance.now();
  const { onProgress, signal } = options;
  const lo = { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
  if ((options.parameterReduction === undefined) === (options.pplBudget === undefined)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      'give exactly one of parameterReduction and pplBudget',
    );
  }
  if (options.parameterReduction !== undefined) checkReduction(options.parameterReduction);
  let model: LlamaModel | null = null;
  let stats: CalibrationStats;
  if ('windows' in calibration && Array.isArray(calibration.windows)) {
    model = await LlamaModel.load(source, lo);
    stats = await collectCalibration(model, calibration.windows, lo);
  } else {
    stats = calibration as CalibrationStats;
  }
  const analysis = await analyzeLordModel(source, stats, {
    ...lo,
    ...(options.decomposition ? { decomposition: options.decomposition } : {}),
  });
  const layers = analysis.entries.map((e) => e.analysis);
  let requested: number;
  let search: Awaited<ReturnType<typeof searchLordReduction>> | undefined;
  if (options.pplBudget !== undefined) {
    model ??= await LlamaModel.load(source, lo);
    search = await searchLordReduction(model, analysis, options.pplBudget, options.rankStep, lo);
    if (search.reduction <= 0) {
      throw new CalderaError(
        'INVALID_OPTIONS',
        `no parameter reduction keeps perplexity within ${options.pplBudget.percent}% (dense ${search.densePpl.toFixed(3)}, tried ${search.points.map((p) => `${p.reduction.toFixed(3)}→${p.ppl.toFixed(3)}`).join(', ')})`,
      );
    }
    requested = search.reduction;
  } else {
    requested = options.parameterReduction!;
  }
  const allocation = allocateLordRanks(layers, requested, options.rankStep);
  const { lordConfig, bytes } = await writeLordCheckpoint(
    options.outDir,
    source,
    analysis,
    allocation,
    {
      ...lo,
      ...(options.dtype ? { dtype: options.dtype } : {}),
      ...(options.tokenizerFiles ? { tokenizerFiles: options.tokenizerFiles } : {}),
      extra: {
        requested_reduction: requested,
        ...(options.pplBudget
          ? {
              ppl_budget_percent: options.pplBudget.percent,
              dense_ppl: search!.densePpl,
              ppl: search!.ppl,
            }
          : {}),
        calibration_tokens: stats.tokens,
      },
    },
  );
  let total = 0;
  for (const t of source.tensors()) total += t.shape.reduce((a, b) => a * b, 1);
  return {
    outDir: options.outDir,
    decomposition: analysis.decomposition,
    requestedReduction: requested,
    allocation,
    layers: analysis.entries.map((e, i) => ({
      name: e.analysis.name,
      m: e.analysis.m,
      n: e.analysis.n,
      rank: allocation.ranks[i] ?? null,
    })),
    totalParametersBefore: total,
    totalParametersAfter: total - allocation.denseParameters + lordConfig.linear_parameters,
    bytesAfter: bytes,
    ...(search ? { densePpl: search.densePpl, ppl: search.ppl, search: search.points } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}
