/**
 * The whole-model pipeline: calibrate (or take precomputed statistics) → decompose every
 * projection of every block by the plan, one weight in memory at a time → write the
 * compressed checkpoint. Layers are decomposed by a {@link LayerPool} (worker threads in Node,
 * `threads` at a time, see `run-layers.ts`). Resumable: each finished layer is saved in
 * `<outDir>.partial/` beside a manifest fingerprinting model, calibration and plan; the final
 * checkpoint is always assembled from those per-layer files in the source's order, so a resumed
 * or multi-threaded run writes the same bytes as an uninterrupted single-threaded one. The
 * checkpoint is written inside the partial store and renamed into `outDir` at the end, so
 * `outDir` never holds a half-written checkpoint.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import { DTYPE_ITEMSIZE, type ModelSource, writeFileAtomic } from '@caldera/io';
import {
  type CalibrationStats,
  collectCalibration,
  type InputSite,
  LlamaModel,
} from '@caldera/runtime';
import type { LinearEntry } from './checkpoint-format';
import type { QuantizationConfig } from './checkpoint-reader';
import {
  type CheckpointTensor,
  hfConfigFromLlama,
  keptBytes,
  writeCheckpoint,
} from './checkpoint-writer';
import { collectJobs, hessianCache } from './layer-jobs';
import type { LayerPool } from './layer-pool';
import { MemoryMeter, type MemoryPeaks } from './memory-meter';
import { createNodeLayerPool } from './node-layer-pool';
import {
  bytesOfArray,
  modelFingerprint,
  openPartialStore,
  partialPath,
  partialTensors,
  sha,
} from './partial-store';
import { type CompressionPlan, type LayerSettings, planToJson } from './plan';
import { checkOutputDir, publishCheckpoint, stagingDirOf } from './publish-checkpoint';
import { type LayerReport, runLayers } from './run-layers';
import { sourceHfConfig, sourceTokenizerFiles } from './source-files';
import { allocateJobRanks, allocationOverrides, DEFAULT_CANDIDATE_RANKS } from './target-bpw';

/**
 * Calibration input: statistics collected beforehand (`collectCalibration` or
 * `loadCalibration` of @caldera/runtime), or token windows to collect them from.
 *
 * @example
 * ```ts
 * const c: CalibrationInput = { windows: makeWindows(tokens, { seqLen: 128, count: 8, sampling: 'sequential' }) };
 * ```
 */
export type CalibrationInput = CalibrationStats | { windows: readonly ArrayLike<number>[] };

/**
 * Options of {@link compressModel}.
 *
 * @example
 * ```ts
 * const o: CompressModelOptions = { outDir: 'out', resume: true };
 * ```
 */
export interface CompressModelOptions extends LongRunningOptions {
  /** The checkpoint folder (appears only when complete; an existing checkpoint is replaced). */
  outDir: string;
  /** Reuse finished layers from `<outDir>.partial/` (default false: start over). */
  resume?: boolean;
  /**
   * Layers decomposed at once, each on its own worker thread (default 1: on the calling
   * thread). Any count writes the same bytes.
   */
  threads?: number;
  /** A pool to run layers on instead (e.g. Web Workers in a browser); `threads` is then ignored. */
  pool?: LayerPool;
  /** dtype of kept tensors (default `'F16'`). */
  keptDtype?: 'F16' | 'F32';
  /** Tokenizer files to copy (default: those found beside the source model). */
  tokenizerFiles?: readonly string[];
}

export type { LayerReport } from './run-layers';

/**
 * The result of {@link compressModel}.
 *
 * @example
 * ```ts
 * const s: CompressSummary = await compressModel(source, calib, plan, { outDir: 'out' });
 * console.log(s.linearBitsPerParameter, s.bytesBefore, s.bytesAfter);
 * ```
 */
export interface CompressSummary {
  outDir: string;
  layers: LayerReport[];
  /** Parameters of the compressed weights. */
  linearParameters: number;
  /** Bits per parameter of the compressed weights (blobs, scales, signs, global scales). */
  linearBitsPerParameter: number;
  /** Parameters of the whole model. */
  totalParameters: number;
  /** 8 · bytesAfter / totalParameters. */
  modelBitsPerParameter: number;
  /** Bytes of the source tensors in their stored dtypes. */
  bytesBefore: number;
  /** Bytes of the checkpoint's `model.safetensors`. */
  bytesAfter: number;
  /** Wall-clock seconds of the whole call. */
  seconds: number;
  /** Largest resident set size of the process seen after each layer (bytes). */
  peakRssBytes: number;
  /** High-water marks of memory over the whole call (sampled after each layer and phase). */
  memory: MemoryPeaks;
  /**
   * Memory once calibration is done (`baseline`: when compression starts) and its high-water
   * marks while fingerprinting, decomposing and writing (`peaks`).
   */
  compressMemory: { baseline: MemoryPeaks; peaks: MemoryPeaks };
  /** The most source weights held in memory at once while decomposing (at most `threads`). */
  maxWeightsHeld: number;
  /** Layers decomposed at once. */
  threads: number;
  /** The plan's `targetBpw` when ranks were allocated (achieved: `linearBitsPerParameter`). */
  targetBpw?: number;
}

async function calibrationStats(
  source: ModelSource,
  calibration: CalibrationInput,
  options: LongRunningOptions,
): Promise<CalibrationStats> {
  if (!('windows' in calibration) || typeof calibration.windows === 'number') {
    return calibration as CalibrationStats;
  }
  const model = await LlamaModel.load(source, options);
  return collectCalibration(model, calibration.windows, options);
}

/**
 * Compresses every projection of every decoder block of a model and writes the compressed
 * checkpoint to `options.outDir`.
 *
 * @param source - the model (weights are read one tensor at a time)
 * @param calibration - statistics, or token windows to calibrate on
 * @param plan - per-weight rules and defaults
 * @param options - output folder, resume, threads or pool, kept dtype, tokenizer files,
 *   progress (tasks `fingerprint`, `calibrate`, `compress` with per-layer metrics `error`,
 *   `bpp`, `seconds`, `resumed`, `write`) and abort signal
 * @returns the summary
 * @throws CalderaError `INVALID_OPTIONS` when `plan.targetBpw` is below the cheapest option of
 *   every layer (the message names the minimum bpw) or not below 16 (float16);
 *   `INVALID_ARGUMENT` when `outDir` exists and is not a checkpoint, or for a bad `threads`;
 *   `RESUME_MISMATCH` when `resume` finds partial results of another model,
 *   calibration or plan; `MISSING_CALIBRATION` when a layer's Hessian is absent; `ABORTED`;
 *   solver and I/O errors
 * @example
 * ```ts
 * const summary = await compressModel(source, { windows }, { defaults: { method: 'caldera', rank: 16 } },
 *   { outDir: 'out/stories-caldera', onProgress: console.log });
 * ```
 */
export async function compressModel(
  source: ModelSource,
  calibration: CalibrationInput,
  plan: CompressionPlan,
  options: CompressModelOptions,
): Promise<CompressSummary> {
  const t0 = performance.now();
  const { outDir, onProgress, signal } = options;
  const keptDtype = options.keptDtype ?? 'F16';
  if (plan.targetBpw !== undefined && !(plan.targetBpw < 16)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `target ${describeValue(plan.targetBpw)} bits/param is not below float16's 16 bits/param: nothing to compress`,
      { details: { target: plan.targetBpw } },
    );
  }
  await checkOutputDir(outDir);
  const meter = new MemoryMeter();
  const jobs = collectJobs(source, plan);
  const stats = await calibrationStats(source, calibration, { onProgress, signal });
  meter.sample();
  const phase = new MemoryMeter();
  const sample = () => {
    meter.sample();
    phase.sample();
  };
  const pool = options.pool ?? createNodeLayerPool(options.threads ?? 1);
  try {
    const hessian = hessianCache(stats, pool.threads + 1);
    onProgress?.({ type: 'start', task: 'fingerprint' });
    const sites = [...new Set(jobs.map((j) => `${j.layer}:${j.site}`))];
    const fingerprint = {
      format: 'caldera-partial',
      version: 1,
      model: await modelFingerprint(source, signal),
      calibration: sha(
        sites.map((s) => {
          const [l, site] = s.split(':');
          return bytesOfArray(hessian(Number(l), site as InputSite));
        }),
      ),
      plan: sha([planToJson(plan), keptDtype]),
    };
    onProgress?.({ type: 'done', task: 'fingerprint' });
    sample();
    const manifestText = `${JSON.stringify(fingerprint, null, 2)}\n`;
    const store = await openPartialStore(outDir, manifestText, options.resume ?? false);
    const partialDir = store.dir;

    if (plan.targetBpw !== undefined) {
      const allocationPath = join(partialDir, 'allocation.json');
      // one override per job ({ rank, qBits?, lrBits? }); a bare number is a rank (older runs)
      let overrides: (Partial<LayerSettings> | number)[];
      if (store.resumed && existsSync(allocationPath)) {
        overrides = JSON.parse(await readFile(allocationPath, 'utf8')) as typeof overrides;
      } else {
        const allocation = await allocateJobRanks(
          jobs,
          plan.targetBpw,
          plan.candidateRanks ?? DEFAULT_CANDIDATE_RANKS,
          (name) => source.readTensor(name),
          (job) => hessian(job.layer, job.site),
          {
            onProgress,
            signal,
            ...(plan.candidateQBits !== undefined ? { candidateQBits: plan.candidateQBits } : {}),
            ...(plan.candidateLrBits !== undefined
              ? { candidateLrBits: plan.candidateLrBits }
              : {}),
          },
        );
        overrides = allocationOverrides(jobs, allocation);
        await writeFileAtomic(allocationPath, async (h) => {
          await h.writeFile(`${JSON.stringify(overrides)}\n`);
        });
      }
      for (let i = 0; i < jobs.length; i++) {
        const job = jobs[i]!;
        const o = overrides[i]!;
        const ranked = job.settings.method === 'caldera' || job.settings.method === 'lord';
        if (typeof o !== 'number') job.settings = { ...job.settings, ...o };
        else if (ranked) job.settings = { ...job.settings, rank: o };
      }
      sample();
    }

    const { entries, reports, maxWeightsHeld } = await runLayers({
      jobs,
      pool,
      outDir,
      readTensor: (name) => source.readTensor(name),
      hessian,
      sample,
      ...(onProgress !== undefined ? { onProgress } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
    const written = await writeOutput(source, plan, options, entries, partialDir);
    sample();
    await rm(partialDir, { recursive: true, force: true });
    return {
      outDir,
      layers: reports,
      ...written,
      seconds: (performance.now() - t0) / 1000,
      peakRssBytes: meter.peaks.rssBytes,
      memory: { ...meter.peaks },
      compressMemory: { baseline: phase.baseline, peaks: { ...phase.peaks } },
      maxWeightsHeld,
      threads: pool.threads,
      ...(plan.targetBpw !== undefined ? { targetBpw: plan.targetBpw } : {}),
    };
  } finally {
    await pool.close();
  }
}

type WrittenSizes = Pick<
  CompressSummary,
  | 'linearParameters'
  | 'linearBitsPerParameter'
  | 'totalParameters'
  | 'modelBitsPerParameter'
  | 'bytesBefore'
  | 'bytesAfter'
>;

/** Assembles the checkpoint from the partial store (source order), writes and publishes it. */
async function writeOutput(
  source: ModelSource,
  plan: CompressionPlan,
  options: CompressModelOptions,
  entryMap: ReadonlyMap<string, LinearEntry>,
  partialDir: string,
): Promise<WrittenSizes> {
  const { outDir, onProgress, signal } = options;
  const keptDtype = options.keptDtype ?? 'F16';
  const tensors: CheckpointTensor[] = [];
  const entries: Record<string, LinearEntry> = {};
  let totalParameters = 0;
  let bytesBefore = 0;
  for (const t of source.tensors()) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    totalParameters += count;
    bytesBefore += count * DTYPE_ITEMSIZE[t.dtype];
    const entry = entryMap.get(t.name);
    if (entry !== undefined) {
      entries[t.name] = entry;
      tensors.push(...(await partialTensors(partialPath(outDir, t.name))));
    } else {
      tensors.push({
        name: t.name,
        dtype: keptDtype,
        shape: [...t.shape],
        data: async () => keptBytes(await source.readTensor(t.name), keptDtype),
      });
    }
  }
  let linearParameters = 0;
  let linearBits = 0;
  for (const e of Object.values(entries)) {
    const p = e.shape[0] * e.shape[1];
    linearParameters += p;
    linearBits += e.bits_per_parameter * p;
  }
  const linearBitsPerParameter = linearParameters > 0 ? linearBits / linearParameters : 0;
  const quantization: QuantizationConfig = {
    quant_method: plan.defaults.method,
    format_version: 1,
    llama_config: source.config,
    kept_dtype: keptDtype,
    linear_bits_per_parameter: linearBitsPerParameter,
    tensors: entries,
  };
  throwIfAborted(signal, 'compressModel');
  onProgress?.({ type: 'start', task: 'write' });
  const hfConfig = (await sourceHfConfig(source)) ?? hfConfigFromLlama(source.config);
  const staging = stagingDirOf(partialDir);
  await rm(staging, { recursive: true, force: true });
  const bytesAfter = await writeCheckpoint(
    staging,
    {
      hfConfig,
      quantization,
      tensors,
      tokenizerFiles: options.tokenizerFiles ?? sourceTokenizerFiles(source),
    },
    { signal },
  );
  throwIfAborted(signal, 'compressModel');
  await publishCheckpoint(staging, outDir);
  onProgress?.({ type: 'done', task: 'write' });
  return {
    linearParameters,
    linearBitsPerParameter,
    totalParameters,
    modelBitsPerParameter: (8 * bytesAfter) / totalParameters,
    bytesBefore,
    bytesAfter,
  };
}
