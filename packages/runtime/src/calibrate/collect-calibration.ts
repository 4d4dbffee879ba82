/**
 * Calibration: run windows through the (original) model and accumulate activation moments.
 */
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { Yielder } from '../generate/yield';
import type { LlamaModel } from '../model/llama-model';
import { LINEAR_NAMES, type LinearName } from '../model/llama-weights';
import { INPUT_SITES, type InputSite } from '../model/observer';
import { CalibrationStats, inputKey, outputKey } from './calibration-stats';
import type { MomentAccumulator } from './moment-accumulator';

/**
 * Options of {@link collectCalibration}.
 *
 * @example
 * ```ts
 * const o: CalibrationOptions = { layers: [0, 1], outputs: ['down_proj'], resume: previous };
 * ```
 */
export interface CalibrationOptions extends LongRunningOptions {
  /** Blocks to collect (default all) — bounds memory for large models (run several passes). */
  layers?: readonly number[];
  /** Input sites to collect (default all four). */
  sites?: readonly InputSite[];
  /** Projections whose output moments to collect (default none; `true` for all seven). */
  outputs?: readonly LinearName[] | boolean;
  /** Continue these statistics: their first `windows` windows are skipped. */
  resume?: CalibrationStats;
  /** Prefill chunk rows (default 64). */
  maxBatch?: number;
}

/**
 * Runs every window through the model (a fresh context per window) and accumulates, in
 * float64, `Σ xxᵀ` and `Σ x` of each selected linear input and output.
 *
 * @param model - the model (normally the uncompressed original)
 * @param windows - token windows (e.g. io's `makeWindows(…, { sampling: 'random' })`)
 * @param options - what to collect, resume state, progress (task `calibrate`, unit
 *   `windows`), abort signal
 * @returns the statistics (the `resume` object itself when resuming)
 * @throws CalderaError `MODEL_MISMATCH` when `resume` belongs to another architecture;
 *   `INVALID_TOKEN`, `CONTEXT_OVERFLOW`, `ABORTED`
 * @example
 * ```ts
 * const stats = await collectCalibration(model, makeWindows(stream, { seqLen: 256, count: 32, sampling: 'random' }));
 * const h = stats.inputMoment(0, 'qkv');
 * ```
 */
export async function collectCalibration(
  model: LlamaModel,
  windows: readonly ArrayLike<number>[],
  options: CalibrationOptions = {},
): Promise<CalibrationStats> {
  const c = model.config;
  const layers = options.layers ?? Array.from({ length: c.numLayers }, (_, i) => i);
  const sites = options.sites ?? INPUT_SITES;
  const outs =
    options.outputs === true
      ? LINEAR_NAMES
      : options.outputs === false
        ? []
        : (options.outputs ?? []);
  const stats = options.resume ?? new CalibrationStats(c);
  if (options.resume && JSON.stringify(options.resume.config) !== JSON.stringify(c)) {
    throw new CalderaError(
      'MODEL_MISMATCH',
      'collectCalibration: the statistics to resume belong to another model config',
    );
  }
  const inAcc: (MomentAccumulator | undefined)[][] = [];
  const outAcc: Partial<Record<LinearName, MomentAccumulator>>[] = [];
  for (const l of layers) {
    inAcc[l] = INPUT_SITES.map((s) =>
      sites.includes(s) ? (stats.entries.get(inputKey(l, s)) ?? stats.addInput(l, s)) : undefined,
    );
    outAcc[l] = {};
    for (const name of outs)
      outAcc[l]![name] = stats.entries.get(outputKey(l, name)) ?? stats.addOutput(l, name);
  }
  const maxLen = windows.reduce((m, w) => Math.max(m, w.length), 1);
  const session = model.createSession({ maxContext: maxLen, maxBatch: options.maxBatch ?? 64 });
  const observer = {
    linearInput: (layer: number, site: InputSite, x: Float32Array, rows: number) => {
      inAcc[layer]?.[INPUT_SITES.indexOf(site)]?.add(x, rows);
    },
    linearOutput: (layer: number, name: LinearName, y: Float32Array, rows: number) => {
      outAcc[layer]?.[name]?.add(y, rows);
    },
  };
  const { onProgress, signal } = options;
  const yielder = new Yielder();
  const first = stats.windows;
  onProgress?.({ type: 'start', task: 'calibrate', total: windows.length, unit: 'windows' });
  for (let w = first; w < windows.length; w++) {
    throwIfAborted(signal, 'collectCalibration');
    session.reset();
    session.forward(windows[w]!, { observer });
    stats.windows = w + 1;
    stats.tokens += windows[w]!.length;
    onProgress?.({
      type: 'progress',
      task: 'calibrate',
      current: w + 1,
      total: windows.length,
      unit: 'windows',
    });
    await yielder.maybeYield();
  }
  onProgress?.({ type: 'done', task: 'calibrate' });
  return stats;
}
