/**
 * The whole-model pipeline: calibrate (or take precomputed statistics) → decompose every
 * projection of every block by the plan, one weight in memory at a time → write the
 * compressed checkpoint. Resumable: each finished layer is saved in `outDir/.partial/` beside
 * a manifest fingerprinting model, calibration and plan; the final checkpoint is always
 * assembled from those per-layer files, so a resumed run writes the same bytes as an
 * uninterrupted one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { DTYPE_ITEMSIZE, type ModelSource, writeFileAtomic } from '@caldera/io';
import {
  type CalibrationStats,
  collectCalibration,
  type InputSite,
  inputSiteOf,
  type LinearName,
  LlamaModel,
} from '@caldera/runtime';
import { encodeLinear, type LinearEntry } from './checkpoint-format';
import type { QuantizationConfig } from './checkpoint-reader';
import {
  type CheckpointTensor,
  hfConfigFromLlama,
  keptBytes,
  writeCheckpoint,
} from './checkpoint-writer';
import {
  bytesOfArray,
  modelFingerprint,
  partialPath,
  partialTensors,
  readPartialEntry,
  sha,
  writePartial,
} from './partial-store';
import {
  type CompressionPlan,
  decomposeLayer,
  type LayerSettings,
  planToJson,
  resolveLayer,
} from './plan';
import { sourceHfConfig, sourceTokenizerFiles } from './source-files';
import { allocateJobRanks, DEFAULT_CANDIDATE_RANKS } from './target-bpw';

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
  /** The checkpoint folder. */
  outDir: string;
  /** Reuse finished layers from `outDir/.partial/` (default false: start over). */
  resume?: boolean;
  /** dtype of kept tensors (default `'F16'`). */
  keptDtype?: 'F16' | 'F32';
  /** Tokenizer files to copy (default: those found beside the source model). */
  tokenizerFiles?: readonly string[];
}

/**
 * What happened to one compressed weight.
 *
 * @example
 * ```ts
 * const r: LayerReport = { name: 'model.layers.0.mlp.up_proj.weight', method: 'caldera', rank: 16,
 *   bitsPerParameter: 2.9, dataAwareError: 0.2, seconds: 0.4, resumed: false };
 * ```
 */
export interface LayerReport {
  name: string;
  method: string;
  rank: number;
  bitsPerParameter: number;
  dataAwareError: number;
  seconds: number;
  resumed: boolean;
}

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
  /** The plan's `targetBpw` when ranks were allocated (achieved: `linearBitsPerParameter`). */
  targetBpw?: number;
}

const LINEAR_RE =
  /^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\.weight$/;

interface Job {
  name: string;
  layer: number;
  site: InputSite;
  m: number;
  n: number;
  settings: LayerSettings;
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
 * @param options - output folder, resume, kept dtype, tokenizer files, progress (tasks
 *   `fingerprint`, `calibrate`, `compress` with per-layer metrics `error`, `bpp`, `seconds`,
 *   `write`) and abort signal
 * @returns the summary
 * @throws CalderaError `INVALID_OPTIONS` when `plan.targetBpw` is below the cheapest option of
 *   every layer (the message names the minimum bpw); `RESUME_MISMATCH` when `resume` finds partial results of another model,
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
  const c = source.config;
  const jobs: Job[] = [];
  for (const t of source.tensors()) {
    const match = LINEAR_RE.exec(t.name);
    if (!match) continue;
    const settings = resolveLayer(plan, t.name);
    if (settings === 'keep') continue;
    jobs.push({
      name: t.name,
      layer: Number(match[1]),
      site: inputSiteOf(match[2] as LinearName),
      m: t.shape[0]!,
      n: t.shape[1]!,
      settings,
    });
  }
  const stats = await calibrationStats(source, calibration, { onProgress, signal });
  onProgress?.({ type: 'start', task: 'fingerprint' });
  const sites = [...new Set(jobs.map((j) => `${j.layer}:${j.site}`))];
  const hessians = new Map<string, Float64Array>();
  const hessian = (layer: number, site: InputSite): Float64Array => {
    const key = `${layer}:${site}`;
    let h = hessians.get(key);
    if (h === undefined) {
      try {
        h = stats.inputMoment(layer, site);
      } catch (cause) {
        throw new CalderaError(
          'MISSING_CALIBRATION',
          `the calibration has no Hessian for block ${layer}, input ${site}`,
          { cause, details: { layer, site } },
        );
      }
      hessians.clear();
      hessians.set(key, h);
    }
    return h;
  };
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
  const partialDir = join(outDir, '.partial');
  const manifestPath = join(partialDir, 'manifest.json');
  const manifestText = `${JSON.stringify(fingerprint, null, 2)}\n`;
  if (options.resume && existsSync(manifestPath)) {
    const old = await readFile(manifestPath, 'utf8');
    if (old !== manifestText) {
      throw new CalderaError(
        'RESUME_MISMATCH',
        `${partialDir} holds partial results of another model, calibration or plan; run without resume to start over`,
        { details: { expected: fingerprint, found: old } },
      );
    }
  } else {
    await rm(partialDir, { recursive: true, force: true });
    await mkdir(partialDir, { recursive: true });
    await writeFileAtomic(manifestPath, async (h) => {
      await h.writeFile(manifestText);
    });
  }

  if (plan.targetBpw !== undefined) {
    const allocationPath = join(partialDir, 'allocation.json');
    let ranks: number[];
    if (options.resume && existsSync(allocationPath)) {
      ranks = JSON.parse(await readFile(allocationPath, 'utf8')) as number[];
    } else {
      const allocation = await allocateJobRanks(
        jobs,
        plan.targetBpw,
        plan.candidateRanks ?? DEFAULT_CANDIDATE_RANKS,
        (name) => source.readTensor(name),
        (job) => hessian(job.layer, job.site),
        { onProgress, signal },
      );
      ranks = allocation.ranks;
      await writeFileAtomic(allocationPath, async (h) => {
        await h.writeFile(`${JSON.stringify(ranks)}\n`);
      });
    }
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (job.settings.method === 'caldera' || job.settings.method === 'lord') {
        job.settings = { ...job.settings, rank: ranks[i]! };
      }
    }
  }

  const reports: LayerReport[] = [];
  let peakRssBytes = process.memoryUsage().rss;
  const entries: Record<string, LinearEntry> = {};
  onProgress?.({ type: 'start', task: 'compress', total: jobs.length, unit: 'layers' });
  for (let i = 0; i < jobs.length; i++) {
    throwIfAborted(signal, 'compressModel');
    const job = jobs[i]!;
    const path = partialPath(outDir, job.name);
    const started = performance.now();
    let entry: LinearEntry;
    const resumed = existsSync(path);
    if (resumed) {
      entry = await readPartialEntry(path);
    } else {
      const w = await source.readTensor(job.name);
      const d = decomposeLayer(job.settings, w, job.m, job.n, hessian(job.layer, job.site));
      const enc = encodeLinear(job.name, d);
      entry = enc.entry;
      await writePartial(path, entry, enc.tensors);
    }
    entries[job.name] = entry;
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    reports.push({
      name: job.name,
      method: entry.method,
      rank: entry.rank,
      bitsPerParameter: entry.bits_per_parameter,
      dataAwareError: entry.data_aware_error,
      seconds,
      resumed,
    });
    onProgress?.({
      type: 'progress',
      task: 'compress',
      current: i + 1,
      total: jobs.length,
      unit: 'layers',
      message: job.name,
      metrics: {
        error: entry.data_aware_error,
        bpp: entry.bits_per_parameter,
        seconds,
        resumed: resumed ? 1 : 0,
      },
    });
  }
  onProgress?.({ type: 'done', task: 'compress' });

  const tensors: CheckpointTensor[] = [];
  let totalParameters = 0;
  let bytesBefore = 0;
  for (const t of source.tensors()) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    totalParameters += count;
    bytesBefore += count * DTYPE_ITEMSIZE[t.dtype];
    if (Object.hasOwn(entries, t.name)) {
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
    llama_config: c,
    kept_dtype: keptDtype,
    linear_bits_per_parameter: linearBitsPerParameter,
    tensors: entries,
  };
  throwIfAborted(signal, 'compressModel');
  onProgress?.({ type: 'start', task: 'write' });
  const hfConfig = (await sourceHfConfig(source)) ?? hfConfigFromLlama(c);
  const bytesAfter = await writeCheckpoint(
    outDir,
    {
      hfConfig,
      quantization,
      tensors,
      tokenizerFiles: options.tokenizerFiles ?? sourceTokenizerFiles(source),
    },
    { signal },
  );
  await rm(partialDir, { recursive: true, force: true });
  onProgress?.({ type: 'done', task: 'write' });
  return {
    outDir,
    layers: reports,
    linearParameters,
    linearBitsPerParameter,
    totalParameters,
    modelBitsPerParameter: (8 * bytesAfter) / totalParameters,
    bytesBefore,
    bytesAfter,
    seconds: (performance.now() - t0) / 1000,
    peakRssBytes,
    ...(plan.targetBpw !== undefined ? { targetBpw: plan.targetBpw } : {}),
  };
}
